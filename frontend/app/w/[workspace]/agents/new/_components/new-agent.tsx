"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams, useRouter } from "next/navigation";
import { useState } from "react";

import { ErrorState, LoadingRows, PageHeader } from "@/components/states";
import { Button } from "@/components/ui/button";
import type { AgentFormValues } from "@/lib/agents/form";
import { specToValues, valuesToSpec } from "@/lib/agents/spec-mapping";
import { api, unwrap } from "@/lib/api/client";
import type { AgentSpec, AgentTemplate } from "@/lib/api/types";
import { workspacePath } from "@/lib/nav";
import { queryKeys } from "@/lib/queries";
import { cn } from "@/lib/utils";

import { LazyAgentForm as AgentForm } from "../../_components/lazy-agent-form";

function TemplatePicker({ onPick }: { onPick: (template: AgentTemplate) => void }) {
  const templates = useQuery({ queryKey: queryKeys.templates, queryFn: () => unwrap(api.GET("/api/v1/agent-templates")) });
  if (templates.isPending) return <LoadingRows label="Loading templates" />;
  if (templates.isError) return <ErrorState error={templates.error} onRetry={() => templates.refetch()} />;
  const cardClass = "flex flex-col items-start gap-1 rounded-lg border p-4 text-left outline-none hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring";
  return (
    <ul aria-label="Templates" className="grid gap-3 sm:grid-cols-2">
      {templates.data.map((template) => (
        <li key={template.id}>
          <button type="button" className={cn(cardClass, "h-full w-full")} onClick={() => onPick(template)}>
            <span className="font-medium">{template.title}</span>
            <span className="text-sm text-muted-foreground">{template.description}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

/** Pick a template (prefetched by the page on the server), then the agent form. */
export function NewAgent() {
  const { workspace } = useParams<{ workspace: string }>();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [start, setStart] = useState<{ spec: AgentSpec; name: string } | null>(null);
  const create = useMutation({
    mutationFn: (values: AgentFormValues) =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace}/agents", {
          params: { path: { workspace } },
          body: { name: values.name, spec: valuesToSpec(values, start?.spec) },
        }),
      ),
    onSuccess: async (agent) => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.agents(workspace) });
      router.push(workspacePath(workspace, "agents", agent.name));
    },
  });

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="New agent"
        description={start ? "Configure it, then create it. You can change everything later." : "Start from a template or from scratch."}
        actions={start ? <Button variant="outline" onClick={() => setStart(null)}>Choose another template</Button> : null}
      />
      {start ? (
        <AgentForm
          key={start.name}
          mode="create"
          initialValues={specToValues(start.name, start.spec)}
          submitLabel="Create agent"
          submitting={create.isPending}
          error={create.error}
          onSubmit={(values) => create.mutate(values)}
        />
      ) : (
        <TemplatePicker onPick={(template) => setStart({ spec: template.spec, name: template.id === "blank" ? "" : template.id })} />
      )}
    </div>
  );
}
