/** The workspace's sections, in the order the sidebar shows them. Pages whose API has not
 * landed yet (custom agents) are added here when they do. */

import type { Role } from "@/lib/api/types";

export interface NavEntry {
  /** Path under /w/<workspace>. */
  segment: string;
  label: string;
  /** Least role that sees the entry (the API still decides what each role may do). */
  role: Role;
}

export const WORKSPACE_NAV: readonly NavEntry[] = [
  { segment: "agents", label: "Agents", role: "viewer" },
  { segment: "phone-numbers", label: "Phone numbers", role: "viewer" },
  { segment: "calls", label: "Call logs", role: "viewer" },
  { segment: "analytics", label: "Analytics", role: "viewer" },
  { segment: "keys", label: "Provider keys", role: "viewer" },
  { segment: "members", label: "Members", role: "viewer" },
  { segment: "tokens", label: "API tokens", role: "viewer" },
];

export function workspacePath(workspace: string, ...segments: string[]): string {
  return ["", "w", encodeURIComponent(workspace), ...segments.map(encodeURIComponent)].join("/");
}
