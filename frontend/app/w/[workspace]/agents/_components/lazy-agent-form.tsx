"use client";

import dynamic from "next/dynamic";

import { LoadingRows } from "@/components/states";

/** The new-agent page's form and its zod schema load once a template is chosen, not with the
 * route: the templates list paints first. (The agent page renders the form itself, on the server.) */
export const LazyAgentForm = dynamic(() => import("./agent-form").then((module) => module.AgentForm), {
  ssr: false,
  loading: () => <LoadingRows rows={6} label="Loading the form" />,
});
