import Link from "next/link";
import { headers } from "next/headers";

import { buttonVariants } from "@/components/ui/button";
import { describeMissing, PATHNAME_HEADER } from "@/lib/not-found";

/** An agent or call the workspace does not have, or an address no page answers (404), inside
 * the workspace's frame: the person keeps the navigation and gets a way back. A server
 * component: no JavaScript joins the workspace's routes for it. */
export default async function WorkspaceNotFound() {
  const missing = describeMissing((await headers()).get(PATHNAME_HEADER) ?? "");
  return (
    <section aria-labelledby="not-found-title" className="flex flex-col items-start gap-3 py-8" data-testid="not-found">
      <p className="font-mono text-sm text-muted-foreground">404</p>
      <h1 id="not-found-title" className="text-2xl font-semibold tracking-tight">
        {missing.title}
      </h1>
      <p className="max-w-prose text-sm break-words text-muted-foreground">{missing.detail}</p>
      <div className="flex flex-wrap gap-2">
        {missing.links.map((link, index) => (
          <Link key={link.href} href={link.href} className={buttonVariants({ variant: index === 0 ? "default" : "outline", size: "sm" })}>
            {link.label}
          </Link>
        ))}
      </div>
    </section>
  );
}
