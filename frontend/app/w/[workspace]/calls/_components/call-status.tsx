import { Badge } from "@/components/ui/badge";
import type { CallSummary } from "@/lib/api/types";

const VARIANT: Record<CallSummary["status"], "success" | "warning" | "destructive" | "secondary" | "outline"> = {
  Active: "success",
  Dialing: "secondary",
  Ringing: "secondary",
  Ended: "outline",
  Busy: "warning",
  NoAnswer: "warning",
  Failed: "destructive",
};

const LABEL: Partial<Record<CallSummary["status"], string>> = { Active: "Live", NoAnswer: "No answer" };

/** Where a call is; an ended call says why it ended (an error or a lost worker stands out). */
export function CallStatusBadge({ call }: { call: Pick<CallSummary, "status" | "endReason"> }) {
  const troubled = call.endReason === "Error" || call.endReason === "Lost";
  const variant = call.status === "Ended" && troubled ? "warning" : VARIANT[call.status];
  const label = call.status === "Ended" && call.endReason ? call.endReason : (LABEL[call.status] ?? call.status);
  return <Badge variant={variant}>{label}</Badge>;
}
