"use client";

import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/** False in the server's HTML and until React has hydrated, then true. Forms rendered on the
 * server stay disabled until then, so a submit before hydration cannot fall back to the
 * browser's native GET (which would put the password in the URL). */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
