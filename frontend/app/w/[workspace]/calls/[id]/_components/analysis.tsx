import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { analysisRows } from "@/lib/calls/cost";

/** The post-call analysis fields, once the analysis job has written them. */
export function Analysis({ analysis }: { analysis: Record<string, unknown> }) {
  const rows = analysisRows(analysis);
  return (
    <Card aria-labelledby="analysis-title">
      <CardHeader>
        <CardTitle id="analysis-title">Analysis</CardTitle>
        <CardDescription>The agent&apos;s analysis fields, filled in after the call.</CardDescription>
      </CardHeader>
      <dl className="grid gap-x-4 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
        {rows.map((row) => (
          <div key={row.key} className="contents">
            <dt className="font-medium">{row.key}</dt>
            <dd className="min-w-0">
              {row.structured ? (
                <pre tabIndex={0} className="overflow-x-auto rounded-md bg-muted p-2 text-xs outline-none focus-visible:ring-2 focus-visible:ring-ring">
                  {row.value}
                </pre>
              ) : (
                <span className="break-words">{row.value}</span>
              )}
            </dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}
