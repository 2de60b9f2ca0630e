"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect, type ReactNode } from "react";

import { ErrorState, LoadingRows } from "@/components/states";
import { ApiError } from "@/lib/api/errors";
import { useMe } from "@/lib/queries";

/** Renders its children for a logged-in person; a session that expired goes to log in. */
export function RequireLogin({ children }: { children: ReactNode }) {
  const me = useMe();
  const router = useRouter();
  const pathname = usePathname();
  const loggedOut = me.error instanceof ApiError && me.error.status === 401;

  useEffect(() => {
    if (loggedOut) router.replace(`/login?next=${encodeURIComponent(pathname)}`);
  }, [loggedOut, pathname, router]);

  if (me.isPending || loggedOut) return <LoadingRows rows={2} label="Checking your session" />;
  if (me.isError) return <ErrorState error={me.error} onRetry={() => me.refetch()} />;
  return children;
}
