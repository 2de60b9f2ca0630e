import { Badge } from "@/components/ui/badge";
import type { Readiness } from "@/lib/agents/readiness";

const LABELS = { ready: "Ready", "not-ready": "Not ready", pending: "Pending" } as const;
const VARIANTS = { ready: "success", "not-ready": "destructive", pending: "warning" } as const;

/** The state, then the operator's reason when it has one that adds to the state; the message
 * as the tooltip (pages show it as text beside the badge too). */
export function ReadyBadge({ readiness }: { readiness: Readiness }) {
  const label = LABELS[readiness.state];
  const reason = readiness.reason && readiness.reason !== label ? readiness.reason : null;
  return (
    <Badge variant={VARIANTS[readiness.state]} data-testid="ready-badge" title={readiness.message || undefined}>
      {reason ? `${label} · ${reason}` : label}
    </Badge>
  );
}
