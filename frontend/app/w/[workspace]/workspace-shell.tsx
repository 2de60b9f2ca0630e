"use client";

import Link from "next/link";
import { useParams, usePathname } from "next/navigation";
import { useEffect, useRef, type ReactNode } from "react";

import { AppHeader } from "@/components/app-shell/app-header";
import { RequireLogin } from "@/components/app-shell/require-login";
import { ErrorState } from "@/components/states";
import { roleAllows } from "@/lib/api/types";
import { WORKSPACE_NAV, workspacePath } from "@/lib/nav";
import { useWorkspace } from "@/lib/queries";
import { cn } from "@/lib/utils";

function WorkspaceNav({ workspace }: { workspace: string }) {
  const pathname = usePathname();
  const role = useWorkspace(workspace).data?.role ?? "viewer";
  const list = useRef<HTMLUListElement>(null);
  // On a narrow screen the sections are one row that scrolls sideways: bring the current one
  // into it (Members or API tokens start off screen at 375 px), without scrolling the page; again
  // when the row or the current section changes size (a window narrowed past the breakpoint, a
  // phone turned, the web font arriving after the first layout).
  useEffect(() => {
    const row = list.current;
    if (!row) return;
    const currentLink = () => row.querySelector<HTMLElement>('[aria-current="page"]');
    const reveal = () => {
      const current = currentLink();
      if (!current) return;
      const box = row.getBoundingClientRect();
      const link = current.getBoundingClientRect();
      if (link.left < box.left || link.right > box.right) row.scrollLeft += link.left - box.left - (box.width - link.width) / 2;
    };
    reveal();
    const observer = new ResizeObserver(reveal);
    observer.observe(row);
    const current = currentLink();
    if (current) observer.observe(current);
    return () => observer.disconnect();
  }, [pathname, role]);
  return (
    <nav aria-label="Workspace" className="border-b md:w-52 md:shrink-0 md:border-r md:border-b-0">
      <ul ref={list} className="flex gap-1 overflow-x-auto px-3 py-2 md:flex-col md:px-3 md:py-4">
        {WORKSPACE_NAV.filter((entry) => roleAllows(role, entry.role)).map((entry) => {
          const href = workspacePath(workspace, entry.segment);
          const active = pathname === href || pathname.startsWith(`${href}/`);
          return (
            <li key={entry.segment}>
              <Link
                href={href}
                aria-current={active ? "page" : undefined}
                className={cn(
                  "block rounded-md px-3 py-2 text-sm whitespace-nowrap outline-none hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring",
                  active ? "bg-accent font-medium text-accent-foreground" : "text-muted-foreground",
                )}
              >
                {entry.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

function WorkspaceGate({ workspace, children }: { workspace: string; children: ReactNode }) {
  const query = useWorkspace(workspace);
  if (query.isError) return <ErrorState error={query.error} title="This workspace is not available" />;
  return children;
}

/** The workspace pages' frame: header, section navigation, and the page once the session and
 * the workspace are known. */
export function WorkspaceShell({ children }: { children: ReactNode }) {
  const { workspace } = useParams<{ workspace: string }>();
  return (
    <div className="flex min-h-screen flex-col">
      <AppHeader workspace={workspace} />
      <div className="flex flex-1 flex-col md:flex-row">
        <WorkspaceNav workspace={workspace} />
        <main className="mx-auto w-full max-w-5xl min-w-0 flex-1 px-3 py-6 sm:px-6 has-[[data-layout=wide]]:max-w-none">
          <RequireLogin>
            <WorkspaceGate workspace={workspace}>{children}</WorkspaceGate>
          </RequireLogin>
        </main>
      </div>
    </div>
  );
}
