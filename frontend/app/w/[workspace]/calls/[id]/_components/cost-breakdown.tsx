import { Alert, AlertDescription } from "@/components/ui/alert";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { CallDetail } from "@/lib/api/types";
import { parseCost, sortedLines } from "@/lib/calls/cost";
import { describeItem, describeUsage, formatMicros, formatUnitPrice } from "@/lib/calls/format";

function UsageTable({ usage }: { usage: CallDetail["usage"] }) {
  if (usage.length === 0) return <p className="text-sm text-muted-foreground">No usage reported yet.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm">
        <caption className="sr-only">Usage so far</caption>
        <thead className="text-left text-xs text-muted-foreground">
          <tr>
            <th scope="col" className="py-1 pr-3 font-medium">Provider and model</th>
            <th scope="col" className="py-1 pr-3 font-medium">What</th>
            <th scope="col" className="py-1 text-right font-medium">Quantity</th>
          </tr>
        </thead>
        <tbody>
          {usage.map((u) => {
            const { label, amount } = describeUsage(u.metric, u.quantity);
            return (
              <tr key={`${u.provider}/${u.model}/${u.metric}`} className="border-t">
                <td className="py-1 pr-3">{u.provider} · {u.model}</td>
                <td className="py-1 pr-3">{label}</td>
                <td className="py-1 text-right tabular-nums">{amount}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** What the call cost, line by line, with the catalogue version it was priced with. Before the
 * call is priced (it is running), the usage reported so far. */
export function CostBreakdownCard({ call }: { call: CallDetail }) {
  const parsed = parseCost(call.cost);
  return (
    <Card aria-labelledby="cost-title">
      <CardHeader>
        <CardTitle id="cost-title">Cost</CardTitle>
        <CardDescription>
          {parsed.kind === "breakdown"
            ? `Priced with catalogue ${parsed.cost.version}, in ${parsed.cost.currency}.`
            : "The call is priced when it ends."}
        </CardDescription>
      </CardHeader>
      {parsed.kind === "none" ? <UsageTable usage={call.usage} /> : null}
      {parsed.kind === "unreadable" ? (
        <Alert variant="destructive">
          <AlertDescription>This dashboard cannot read the cost breakdown ({parsed.problem}).</AlertDescription>
        </Alert>
      ) : null}
      {parsed.kind === "breakdown" ? (
        <>
          {parsed.cost.unpricedItems.length > 0 ? (
            <Alert>
              <AlertDescription>
                No price for {parsed.cost.unpricedItems.join(", ")}: the total is unknown. An admin can add a price override, then price the call again.
              </AlertDescription>
            </Alert>
          ) : null}
          <div className="overflow-x-auto">
            <table className="w-full text-sm">
              <caption className="sr-only">Cost breakdown</caption>
              <thead className="text-left text-xs text-muted-foreground">
                <tr>
                  <th scope="col" className="py-1 pr-3 font-medium">Item</th>
                  <th scope="col" className="py-1 pr-3 font-medium">Quantity</th>
                  <th scope="col" className="py-1 pr-3 font-medium">Unit price</th>
                  <th scope="col" className="py-1 text-right font-medium">Amount</th>
                </tr>
              </thead>
              <tbody>
                {sortedLines(parsed.cost).map((line) => {
                  const { provider, model, metric } = describeItem(line.item);
                  const usage = describeUsage(metric, line.quantity);
                  return (
                    <tr key={line.item} className="border-t align-top">
                      <td className="py-1.5 pr-3">
                        <span className="block">{usage.label}</span>
                        <span className="block text-xs text-muted-foreground">
                          {provider} · {model}
                          {line.source === "override" ? " · override" : ""}
                        </span>
                      </td>
                      <td className="py-1.5 pr-3 tabular-nums">{usage.amount}</td>
                      <td className="py-1.5 pr-3 text-xs tabular-nums">{formatUnitPrice(line.unitMicros, line.per, parsed.cost.currency)}</td>
                      <td className="py-1.5 text-right tabular-nums">{formatMicros(line.micros, parsed.cost.currency)}</td>
                    </tr>
                  );
                })}
              </tbody>
              <tfoot>
                <tr className="border-t font-medium">
                  <th scope="row" colSpan={3} className="py-1.5 pr-3 text-left">
                    Total
                  </th>
                  <td className="py-1.5 text-right tabular-nums" data-testid="cost-total">
                    {parsed.cost.totalMicros === null ? `unknown (priced part ${formatMicros(parsed.cost.pricedMicros, parsed.cost.currency)})` : formatMicros(parsed.cost.totalMicros, parsed.cost.currency)}
                  </td>
                </tr>
              </tfoot>
            </table>
          </div>
        </>
      ) : null}
    </Card>
  );
}
