/** Query keys of the API's data, shared by the browser's queries and the server's prefetch
 * (a plain module: server components import it too). */

export const queryKeys = {
  me: ["me"] as const,
  workspaces: ["workspaces"] as const,
  workspace: (ws: string) => ["workspaces", ws] as const,
  agents: (ws: string) => ["workspaces", ws, "agents"] as const,
  agent: (ws: string, name: string) => ["workspaces", ws, "agents", name] as const,
  templates: ["agent-templates"] as const,
  members: (ws: string) => ["workspaces", ws, "members"] as const,
  tokens: (ws: string) => ["workspaces", ws, "tokens"] as const,
  keys: (ws: string) => ["workspaces", ws, "keys"] as const,
  calls: (ws: string, search: string) => ["workspaces", ws, "calls", search] as const,
  call: (ws: string, id: string) => ["workspaces", ws, "call", id] as const,
  callDeliveries: (ws: string, id: string) => ["workspaces", ws, "call", id, "deliveries"] as const,
  phoneNumbers: (ws: string) => ["workspaces", ws, "phone-numbers"] as const,
  availableNumbers: (ws: string, query: object) => ["workspaces", ws, "available-phone-numbers", query] as const,
  analytics: (ws: string, query: Record<string, string | undefined>) => ["workspaces", ws, "analytics", query] as const,
  // A custom agent's code, apart from the agent's own key so a saved spec does not refetch it.
  code: (ws: string, name: string) => ["workspaces", ws, "code", name] as const,
  codeTree: (ws: string, name: string) => ["workspaces", ws, "code", name, "tree"] as const,
  codeFile: (ws: string, name: string, path: string) => ["workspaces", ws, "code", name, "file", path] as const,
  codeRevisions: (ws: string, name: string) => ["workspaces", ws, "code", name, "revisions"] as const,
  codeDiff: (ws: string, name: string, number: number, against: number) =>
    ["workspaces", ws, "code", name, "diff", number, against] as const,
  buildLog: (ws: string, name: string) => ["workspaces", ws, "code", name, "build-log"] as const,
  assistant: (ws: string, name: string) => ["workspaces", ws, "code", name, "assistant"] as const,
};
