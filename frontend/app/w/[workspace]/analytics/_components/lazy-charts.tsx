"use client";

import dynamic from "next/dynamic";

import { Skeleton } from "@/components/ui/skeleton";

/** The charts (visx) load after the figures have painted. */
const loading = () => <Skeleton className="h-60 w-full" />;
export const CallsOverTime = dynamic(() => import("./charts").then((m) => m.CallsOverTime), { ssr: false, loading });
export const CostOverTime = dynamic(() => import("./charts").then((m) => m.CostOverTime), { ssr: false, loading });
export const ByAgent = dynamic(() => import("./charts").then((m) => m.ByAgent), { ssr: false, loading });
