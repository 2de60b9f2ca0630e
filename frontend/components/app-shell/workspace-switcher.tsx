"use client";

import { CheckIcon, ChevronsUpDownIcon, PlusIcon } from "lucide-react";
import { useRouter } from "next/navigation";

import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { workspacePath } from "@/lib/nav";
import { useMe, useWorkspaces } from "@/lib/queries";

export function WorkspaceSwitcher({ current }: { current?: string }) {
  const workspaces = useWorkspaces();
  const me = useMe();
  const router = useRouter();
  const currentName = workspaces.data?.find((w) => w.namespace === current)?.displayName ?? current;

  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="outline" size="sm" className="max-w-48 justify-between sm:max-w-64" aria-label={`Workspace: ${currentName ?? "none"}. Switch workspace`}>
          <span className="truncate">{currentName ?? "Choose a workspace"}</span>
          <ChevronsUpDownIcon aria-hidden className="opacity-60" />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start">
        <DropdownMenuLabel>Workspaces</DropdownMenuLabel>
        {workspaces.isPending ? <DropdownMenuItem disabled>Loading…</DropdownMenuItem> : null}
        {workspaces.isError ? <DropdownMenuItem disabled>Could not load workspaces</DropdownMenuItem> : null}
        {workspaces.data?.map((workspace) => (
          <DropdownMenuItem key={workspace.namespace} onSelect={() => router.push(workspacePath(workspace.namespace, "agents"))}>
            <CheckIcon aria-hidden className={workspace.namespace === current ? "" : "invisible"} />
            <span className="truncate">{workspace.displayName}</span>
            <span className="ml-auto text-xs text-muted-foreground">{workspace.role}</span>
          </DropdownMenuItem>
        ))}
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={() => router.push("/workspaces")}>
          {me.data?.isPlatformAdmin ? <PlusIcon aria-hidden /> : null}
          {me.data?.isPlatformAdmin ? "Create or manage workspaces" : "All workspaces"}
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
