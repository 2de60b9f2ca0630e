"use client";

import { CheckIcon, PlusIcon } from "lucide-react";
import { useRouter } from "next/navigation";

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

import { WorkspaceButton } from "./header-buttons";

export interface WorkspaceSwitcherDropdownProps {
  current?: string;
  currentName?: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** Gets the trigger button (./lazy-menu hands it the placeholder's focus). */
  triggerRef: (element: HTMLElement | null) => void;
}

/** The workspace menu itself; ./workspace-switcher loads it when the person reaches for it. */
export function WorkspaceSwitcherDropdown({ current, currentName, open, onOpenChange, triggerRef }: WorkspaceSwitcherDropdownProps) {
  const workspaces = useWorkspaces();
  const me = useMe();
  const router = useRouter();
  return (
    // Not modal: the page behind is not aria-hidden while it is open (axe flagged its focusable
    // controls hidden that way); Escape, Tab or a press outside closes it.
    <DropdownMenu modal={false} open={open} onOpenChange={onOpenChange}>
      <DropdownMenuTrigger asChild ref={triggerRef}>
        <WorkspaceButton currentName={currentName} />
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
