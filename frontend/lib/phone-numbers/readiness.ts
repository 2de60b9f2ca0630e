/** What the list says about a line's Ready condition (the API reports Unknown until the operator
 * has acted on it). */

import type { Readiness, ReadyState } from "@/lib/agents/readiness";
import type { PhoneNumber } from "@/lib/api/types";

const STATES: Record<PhoneNumber["ready"]["status"], ReadyState> = { True: "ready", False: "not-ready", Unknown: "pending" };

export function lineReadiness(line: PhoneNumber): Readiness {
  const { status, reason, message } = line.ready;
  return {
    state: STATES[status],
    reason: reason || (status === "Unknown" ? "NotObserved" : status),
    message: message || (status === "Unknown" ? "The operator has not reported on this line yet." : ""),
  };
}

/** The number to show: the one bought or asked for, else the line's name. */
export function lineNumber(line: PhoneNumber): string {
  return line.phoneNumber ?? line.status?.phoneNumber ?? line.spec.purchase?.phoneNumber ?? line.spec.number ?? "number pending";
}
