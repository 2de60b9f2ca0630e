import { Badge } from "@/components/ui/badge";
import type { Readiness } from "@/lib/agents/readiness";

const LABELS = { ready: "Ready", "not-ready": "Not ready", pending: "Pending" } as const;
const VARIANTS = { ready: "success", "not-ready": "destructive", pending: "warning" } as const;

export function ReadyBadge({ readiness }: { readiness: Readiness }) {
  return (
    <Badge variant={VARIANTS[readiness.state]} data-testid="ready-badge">
      {LABELS[readiness.state]} · {readiness.reason}
    </Badge>
  );
}
