"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams } from "next/navigation";

import { ActionError, EmptyState, ErrorState, LoadingRows, PageHeader } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { NativeSelect } from "@/components/ui/input";
import { api, unwrap } from "@/lib/api/client";
import { ROLES, roleAllows, type Member, type Role } from "@/lib/api/types";
import { queryKeys, useMe, useWorkspace } from "@/lib/queries";

import { InviteForm } from "./invite-form";
import { RolesTable } from "./roles-table";

function MemberRow({ workspace, member, myRole, isMe }: { workspace: string; member: Member; myRole: Role; isMe: boolean }) {
  const queryClient = useQueryClient();
  const path = { workspace, user_id: member.userId };
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.members(workspace) });
  const changeRole = useMutation({
    mutationFn: (role: Role) =>
      unwrap(api.PUT("/api/v1/workspaces/{workspace}/members/{user_id}", { params: { path }, body: { role } })),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE("/api/v1/workspaces/{workspace}/members/{user_id}", { params: { path } })),
    onSettled: refresh,
  });
  const selectId = `role-${member.userId}`;
  return (
    <li className="flex flex-col gap-2 px-4 py-3">
      <div className="flex flex-wrap items-center gap-3">
        <span className="w-full min-w-0 truncate font-medium sm:w-auto sm:flex-1">
          {member.email}
          {isMe ? <span className="ml-2 text-xs text-muted-foreground">(you)</span> : null}
        </span>
        {myRole === "owner" ? (
          <>
            <label htmlFor={selectId} className="sr-only">
              Role of {member.email}
            </label>
            <NativeSelect
              id={selectId}
              className="w-36"
              value={member.role}
              disabled={changeRole.isPending}
              onChange={(event) => changeRole.mutate(event.target.value as Role)}
            >
              {ROLES.map((role) => (
                <option key={role} value={role}>
                  {role}
                </option>
              ))}
            </NativeSelect>
          </>
        ) : (
          <span className="text-sm text-muted-foreground">{member.role}</span>
        )}
        {roleAllows(myRole, "admin") ? (
          <Button variant="outline" size="sm" onClick={() => remove.mutate()} disabled={remove.isPending} aria-label={`Remove ${member.email}`}>
            Remove
          </Button>
        ) : null}
      </div>
      <ActionError error={changeRole.error ?? remove.error} />
    </li>
  );
}

export default function MembersPage() {
  const { workspace } = useParams<{ workspace: string }>();
  const me = useMe();
  const myRole = useWorkspace(workspace).data?.role ?? "viewer";
  const members = useQuery({
    queryKey: queryKeys.members(workspace),
    queryFn: () => unwrap(api.GET("/api/v1/workspaces/{workspace}/members", { params: { path: { workspace } } })),
  });

  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="Members" description="Who is in this workspace, and what each role may do." />
      <Card>
        <CardHeader>
          <CardTitle>People</CardTitle>
          <CardDescription>Owners change roles; admins remove people. A workspace keeps at least one owner.</CardDescription>
        </CardHeader>
        {members.isPending ? <LoadingRows /> : null}
        {members.isError ? <ErrorState error={members.error} onRetry={() => members.refetch()} /> : null}
        {members.data?.length === 0 ? <EmptyState title="No members" /> : null}
        {members.data && members.data.length > 0 ? (
          <ul aria-label="Members" className="-mx-4 -mb-4 flex flex-col divide-y border-t sm:-mx-6 sm:-mb-6">
            {members.data.map((member) => (
              <MemberRow key={member.userId} workspace={workspace} member={member} myRole={myRole} isMe={member.userId === me.data?.id} />
            ))}
          </ul>
        ) : null}
      </Card>
      {roleAllows(myRole, "admin") ? <InviteForm workspace={workspace} myRole={myRole} /> : null}
      <RolesTable />
    </div>
  );
}
