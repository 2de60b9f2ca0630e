"use client";

import dynamic from "next/dynamic";

import { LoadingRows } from "@/components/states";

/** The agent form and its zod schema load when a page shows the form, not with the route: the
 * templates list and the agent page's header paint first, and the route's JavaScript stays small. */
export const LazyAgentForm = dynamic(() => import("./agent-form").then((module) => module.AgentForm), {
  ssr: false,
  loading: () => <LoadingRows rows={6} label="Loading the form" />,
});
