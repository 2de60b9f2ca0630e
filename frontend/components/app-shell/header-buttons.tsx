"use client";

import { ChevronsUpDownIcon, UserIcon } from "lucide-react";
import type { ComponentProps } from "react";

import { Button } from "@/components/ui/button";

/** The header menus' triggers: the same button before the menu has loaded and as its trigger. */

export function AccountButton(props: ComponentProps<typeof Button>) {
  return (
    <Button variant="ghost" size="icon" aria-label="Account" {...props}>
      <UserIcon aria-hidden />
    </Button>
  );
}

export function WorkspaceButton({ currentName, ...props }: ComponentProps<typeof Button> & { currentName?: string }) {
  return (
    <Button variant="outline" size="sm" className="max-w-48 justify-between sm:max-w-64" aria-label={`Workspace: ${currentName ?? "none"}. Switch workspace`} {...props}>
      <span className="truncate">{currentName ?? "Choose a workspace"}</span>
      <ChevronsUpDownIcon aria-hidden className="opacity-60" />
    </Button>
  );
}
