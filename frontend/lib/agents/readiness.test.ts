import { describe, expect, it } from "vitest";

import type { Agent } from "@/lib/api/types";

import { readiness } from "./readiness";

const agent = (status: Agent["status"], generation = 2): Agent => ({
  name: "a",
  namespace: "ws",
  generation,
  spec: {},
  status,
});

const condition = (status: "True" | "False" | "Unknown", reason: string, message = "") => ({
  type: "Ready",
  status,
  reason,
  message,
  lastTransitionTime: "2026-01-01T00:00:00Z",
});

describe("readiness", () => {
  it("is pending before the operator reports", () => {
    expect(readiness(agent(null)).state).toBe("pending");
    expect(readiness(agent({ conditions: [] })).reason).toBe("NotObserved");
  });

  it("carries the condition's reason and message", () => {
    const r = readiness(
      agent({ observedGeneration: 2, conditions: [condition("False", "KeyMissing", "set the OpenAI key")] }),
    );
    expect(r).toEqual({ state: "not-ready", reason: "KeyMissing", message: "set the OpenAI key" });
    expect(readiness(agent({ observedGeneration: 2, conditions: [condition("True", "Serving")] })).state).toBe("ready");
  });

  it("is pending while the status is about an older generation", () => {
    const r = readiness(agent({ observedGeneration: 1, conditions: [condition("True", "Serving")] }, 2));
    expect(r.reason).toBe("Reconciling");
  });
});
