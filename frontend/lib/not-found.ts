/** What a workspace's not-found page says, from the address that found nothing: an agent or a
 * call the workspace does not have, or a page that does not exist. */

import { workspacePath } from "./nav";

/** The request header proxy.ts puts the page's path in, for the not-found pages to read. */
export const PATHNAME_HEADER = "x-arkenos-pathname";

export interface Missing {
  title: string;
  detail: string;
  links: { href: string; label: string }[];
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** For an address under /w/<workspace>/ (or none: a prefetch carries no path). */
export function describeMissing(pathname: string): Missing {
  const parts = pathname.split("/").filter(Boolean).map(decode);
  // ["w", workspace, section, item, ...rest]
  const [, workspace = "", section, item, ...rest] = parts;
  if (!workspace) {
    return { title: "This page does not exist", detail: "There is nothing at this address in this workspace.", links: [{ href: "/workspaces", label: "Your workspaces" }] };
  }
  if (section === "agents" && item && item !== "new") {
    const links = [{ href: workspacePath(workspace, "agents"), label: "All agents" }];
    if (rest[0] !== "code") links.push({ href: workspacePath(workspace, "agents", item, "code"), label: `Code of ${item}, if it is a custom agent` });
    return {
      title: "No such agent",
      detail: `This workspace has no agent named “${item}”. It may have been deleted; a custom agent is listed once its code is first deployed.`,
      links,
    };
  }
  if (section === "calls" && item) {
    return {
      title: "No such call",
      detail: `This workspace has no call “${item}”. Check the link, or find the call in the call logs.`,
      links: [{ href: workspacePath(workspace, "calls"), label: "Call logs" }],
    };
  }
  return {
    title: "This page does not exist",
    detail: `There is nothing at ${pathname} in this workspace.`,
    links: [{ href: workspacePath(workspace, "agents"), label: "Agents" }],
  };
}
