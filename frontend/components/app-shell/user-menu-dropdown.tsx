"use client";

import { LogOutIcon } from "lucide-react";

import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";

import { AccountButton } from "./header-buttons";

export interface UserMenuDropdownProps {
  email: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** Gets the trigger button (./lazy-menu hands it the placeholder's focus). */
  triggerRef: (element: HTMLElement | null) => void;
  onLogOut: () => void;
}

/** The account menu itself; ./user-menu loads it when the person reaches for it. */
export function UserMenuDropdown({ email, open, onOpenChange, onLogOut, triggerRef }: UserMenuDropdownProps) {
  return (
    // Not modal: the page behind is not aria-hidden while it is open (axe flagged its focusable
    // controls hidden that way); Escape, Tab or a press outside closes it.
    <DropdownMenu modal={false} open={open} onOpenChange={onOpenChange}>
      <DropdownMenuTrigger asChild ref={triggerRef}>
        <AccountButton />
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        <DropdownMenuLabel>{email}</DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={onLogOut}>
          <LogOutIcon aria-hidden /> Log out
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
