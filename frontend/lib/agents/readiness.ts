/** What the agents list says about an agent's Ready condition, as the operator reported it. */

import type { Agent } from "@/lib/api/types";

export type ReadyState = "ready" | "not-ready" | "pending";

export interface Readiness {
  state: ReadyState;
  /** CamelCase reason from the condition, a stand-in when there is no condition yet, or "" when
   * there is none worth showing beside the state. */
  reason: string;
  /** The condition's message for a person, or why there is none. */
  message: string;
}

export function readiness(agent: Agent): Readiness {
  const status = agent.status;
  const ready = status?.conditions?.find((c) => c.type === "Ready");
  if (!ready) {
    return {
      state: "pending",
      reason: "NotObserved",
      message: "The operator has not reported on this agent yet.",
    };
  }
  const stale =
    agent.generation != null &&
    status?.observedGeneration != null &&
    status.observedGeneration < agent.generation;
  if (stale) {
    return {
      state: "pending",
      reason: "Reconciling",
      message: "The operator has not acted on the latest change yet.",
    };
  }
  const state: ReadyState =
    ready.status === "True" ? "ready" : ready.status === "False" ? "not-ready" : "pending";
  return { state, reason: ready.reason, message: ready.message ?? "" };
}
