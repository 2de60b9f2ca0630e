"use client";

import { useQuery } from "@tanstack/react-query";
import { useParams } from "next/navigation";

import { ErrorState, LoadingRows, PageHeader } from "@/components/states";
import { api, unwrap } from "@/lib/api/client";
import { roleAllows } from "@/lib/api/types";
import { queryKeys, useWorkspace } from "@/lib/queries";

import { KeyCard } from "./key-card";

export default function KeysPage() {
  const { workspace } = useParams<{ workspace: string }>();
  const role = useWorkspace(workspace).data?.role ?? "viewer";
  const keys = useQuery({
    queryKey: queryKeys.keys(workspace),
    queryFn: () => unwrap(api.GET("/api/v1/workspaces/{workspace}/keys", { params: { path: { workspace } } })),
  });
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Provider keys"
        description="Keys are stored encrypted; only their last four characters are ever shown again. Agents without their own Secret use these."
      />
      {keys.isPending ? <LoadingRows rows={5} /> : null}
      {keys.isError ? <ErrorState error={keys.error} onRetry={() => keys.refetch()} /> : null}
      {keys.data ? (
        <div className="grid gap-4 lg:grid-cols-2">
          {keys.data.map((key) => (
            <KeyCard
              key={key.provider}
              workspace={workspace}
              providerKey={key}
              canManage={roleAllows(role, "admin")}
              canTest={roleAllows(role, "developer")}
            />
          ))}
        </div>
      ) : null}
    </div>
  );
}
