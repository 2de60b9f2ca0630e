/** How a revision's state reads on the page. */

export type RevisionState = "Building" | "BuildFailed" | "Deploying" | "Serving" | "Superseded";

export const STATE_LABEL: Record<RevisionState, string> = {
  Building: "Building",
  BuildFailed: "Build failed",
  Deploying: "Deploying",
  Serving: "Serving",
  Superseded: "Superseded",
};

export type StateTone = "success" | "warning" | "destructive" | "outline";

export const STATE_TONE: Record<RevisionState, StateTone> = {
  Building: "warning",
  BuildFailed: "destructive",
  Deploying: "warning",
  Serving: "success",
  Superseded: "outline",
};

/** Whether the page should keep polling: some revision is still on its way. */
export function inProgress(states: readonly RevisionState[]): boolean {
  return states.some((state) => state === "Building" || state === "Deploying");
}
