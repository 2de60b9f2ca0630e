/** What the list says about a line's Ready condition (the API reports Unknown until the operator
 * has acted on it). */

import type { Readiness, ReadyState } from "@/lib/agents/readiness";
import type { PhoneNumber } from "@/lib/api/types";

const STATES: Record<PhoneNumber["ready"]["status"], ReadyState> = { True: "ready", False: "not-ready", Unknown: "pending" };

/** The reasons the API stands in with while no operator has reported on the line: they say
 * nothing the state does not (the badge would read "Pending · Pending"). */
const NOT_YET_REPORTED = new Set(["", "Pending", "NotObserved"]);

export function lineReadiness(line: PhoneNumber): Readiness {
  const { status, reason, message } = line.ready;
  if (status === "Unknown" && NOT_YET_REPORTED.has(reason ?? "")) {
    return { state: "pending", reason: "", message: "Waiting for the operator: it has not reported on this line yet." };
  }
  // A real reason is shown even while the state is Unknown (the operator is working on it).
  return { state: STATES[status], reason: reason || status, message: message ?? "" };
}

/** The number to show: the one bought or asked for, else the line's name. */
export function lineNumber(line: PhoneNumber): string {
  return line.phoneNumber ?? line.status?.phoneNumber ?? line.spec.purchase?.phoneNumber ?? line.spec.number ?? "number pending";
}
