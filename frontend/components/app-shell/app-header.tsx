import Link from "next/link";

import { ThemeToggle } from "@/components/theme-toggle";

import { UserMenu } from "./user-menu";
import { WorkspaceSwitcher } from "./workspace-switcher";

export function AppHeader({ workspace }: { workspace?: string }) {
  return (
    <header className="sticky top-0 z-40 flex h-14 items-center gap-2 border-b bg-background/95 px-3 backdrop-blur sm:gap-4 sm:px-6">
      <Link href="/workspaces" className="font-semibold tracking-tight">
        Arkenos
      </Link>
      <WorkspaceSwitcher current={workspace} />
      <div className="ml-auto flex items-center gap-1">
        <ThemeToggle />
        <UserMenu />
      </div>
    </header>
  );
}
