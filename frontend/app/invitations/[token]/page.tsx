"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";

import { ActionError, ErrorState, LoadingRows } from "@/components/states";
import { Button, buttonVariants } from "@/components/ui/button";
import { Card, CardDescription, CardHeader } from "@/components/ui/card";
import { api, unwrap } from "@/lib/api/client";
import { ApiError } from "@/lib/api/errors";
import { workspacePath } from "@/lib/nav";
import { queryKeys, useMe } from "@/lib/queries";

/** The page an invitation link opens: log in (or sign up) first, then accept. */
export default function InvitationPage() {
  const { token } = useParams<{ token: string }>();
  const router = useRouter();
  const queryClient = useQueryClient();
  const me = useMe();
  const accept = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/invitations/accept", { body: { token } })),
    onSuccess: async (workspace) => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.workspaces });
      router.push(workspacePath(workspace.namespace, "agents"));
    },
  });
  const here = `/invitations/${encodeURIComponent(token)}`;
  const loggedOut = me.error instanceof ApiError && me.error.status === 401;

  return (
    <main className="mx-auto flex min-h-screen w-full max-w-sm flex-col justify-center px-4">
      <Card>
        <CardHeader>
          <h1 className="text-xl font-semibold">You are invited to a workspace</h1>
          <CardDescription>Accepting adds you to it with the role the invitation names.</CardDescription>
        </CardHeader>
        {me.isPending ? <LoadingRows rows={1} /> : null}
        {loggedOut ? (
          <div className="flex flex-col gap-2 sm:flex-row">
            <Link className={buttonVariants()} href={`/login?next=${encodeURIComponent(here)}`}>
              Log in to accept
            </Link>
            <Link className={buttonVariants({ variant: "outline" })} href={`/signup?next=${encodeURIComponent(here)}`}>
              Sign up
            </Link>
          </div>
        ) : null}
        {me.isError && !loggedOut ? <ErrorState error={me.error} /> : null}
        {me.data ? (
          <div className="flex flex-col gap-3">
            <p className="text-sm">
              Signed in as <strong>{me.data.email}</strong>.
            </p>
            <ActionError error={accept.error} />
            <Button onClick={() => accept.mutate()} disabled={accept.isPending}>
              {accept.isPending ? "Accepting…" : "Accept invitation"}
            </Button>
          </div>
        ) : null}
      </Card>
    </main>
  );
}
