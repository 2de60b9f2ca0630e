"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { api, unwrap } from "@/lib/api/client";
import { errorMessage } from "@/lib/api/errors";
import { useMe } from "@/lib/queries";

import { AccountButton } from "./header-buttons";
import { useLazyMenu } from "./lazy-menu";
import type { UserMenuDropdownProps } from "./user-menu-dropdown";

const loadDropdown = () => import("./user-menu-dropdown").then((module) => module.UserMenuDropdown);

export function UserMenu() {
  const me = useMe();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);
  const { Menu, open, setOpen, trigger, triggerRef } = useLazyMenu<UserMenuDropdownProps>(loadDropdown);

  async function logOut() {
    setFailure(null);
    try {
      await unwrap(api.POST("/api/v1/auth/logout"));
      queryClient.clear();
      router.replace("/login");
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  return (
    <>
      {failure ? (
        <span role="alert" className="text-xs text-destructive">
          {failure}
        </span>
      ) : null}
      {Menu ? <Menu email={me.data?.email ?? "Signed in"} open={open} onOpenChange={setOpen} onLogOut={logOut} triggerRef={triggerRef} /> : <AccountButton {...trigger} />}
    </>
  );
}
