import type { Metadata } from "next";
import Link from "next/link";

import { ThemeToggle } from "@/components/theme-toggle";
import { buttonVariants } from "@/components/ui/button";

export const metadata: Metadata = { title: "Page not found" };

/** Any address the dashboard has no page for (404). */
export default function NotFound() {
  return (
    <div className="flex min-h-screen flex-col">
      <header className="flex items-center justify-between px-4 py-3">
        <Link href="/workspaces" className="rounded-sm font-semibold tracking-tight outline-none focus-visible:ring-2 focus-visible:ring-ring">
          Arkenos
        </Link>
        <ThemeToggle />
      </header>
      <main className="flex flex-1 items-start justify-center px-4 pt-8 sm:pt-16">
        <section aria-labelledby="not-found-title" className="flex w-full max-w-md flex-col items-start gap-3" data-testid="not-found">
          <p className="font-mono text-sm text-muted-foreground">404</p>
          <h1 id="not-found-title" className="text-2xl font-semibold tracking-tight">
            This page does not exist
          </h1>
          <p className="text-sm text-muted-foreground">The address may be mistyped, or what it pointed to has been removed.</p>
          <div className="flex flex-wrap gap-2">
            <Link href="/workspaces" className={buttonVariants({ size: "sm" })}>
              Your workspaces
            </Link>
            <Link href="/login" className={buttonVariants({ variant: "outline", size: "sm" })}>
              Log in
            </Link>
          </div>
        </section>
      </main>
    </div>
  );
}
