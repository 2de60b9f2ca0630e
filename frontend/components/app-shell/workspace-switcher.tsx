"use client";

import { useWorkspaces } from "@/lib/queries";

import { WorkspaceButton } from "./header-buttons";
import { useLazyMenu } from "./lazy-menu";
import type { WorkspaceSwitcherDropdownProps } from "./workspace-switcher-dropdown";

const loadDropdown = () => import("./workspace-switcher-dropdown").then((module) => module.WorkspaceSwitcherDropdown);

export function WorkspaceSwitcher({ current }: { current?: string }) {
  const workspaces = useWorkspaces();
  const currentName = workspaces.data?.find((w) => w.namespace === current)?.displayName ?? current;
  const { Menu, open, setOpen, trigger, triggerRef } = useLazyMenu<WorkspaceSwitcherDropdownProps>(loadDropdown);
  return Menu ? <Menu current={current} currentName={currentName} open={open} onOpenChange={setOpen} triggerRef={triggerRef} /> : <WorkspaceButton currentName={currentName} {...trigger} />;
}
