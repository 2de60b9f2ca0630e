"use client";

import { api, unwrap } from "@/lib/api/client";
import { workspacePath } from "@/lib/nav";

/** Log in and say where to go next: the page asked for, else the first workspace. */
export async function logInAndPickPage(email: string, password: string, next: string | null): Promise<string> {
  await unwrap(api.POST("/api/v1/auth/login", { body: { email, password } }));
  if (next && next.startsWith("/") && !next.startsWith("//")) return next;
  const workspaces = await unwrap(api.GET("/api/v1/workspaces"));
  return workspaces.length > 0 ? workspacePath(workspaces[0].namespace, "agents") : "/workspaces";
}
