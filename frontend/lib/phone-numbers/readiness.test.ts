import { describe, expect, it } from "vitest";

import type { PhoneNumber } from "@/lib/api/types";

import { lineNumber, lineReadiness } from "./readiness";

const line = (over: Partial<PhoneNumber>): PhoneNumber => ({
  name: "support",
  namespace: "acme",
  agent: "front-desk",
  credentials: "Platform",
  ready: { status: "Unknown" },
  spec: { agentRef: { name: "front-desk" }, purchase: { country: "US", phoneNumber: "+14155550101" } },
  ...over,
});

describe("a line's readiness", () => {
  it("is pending, without a reason, until the operator reports", () => {
    const waiting = { state: "pending", reason: "", message: "Waiting for the operator: it has not reported on this line yet." };
    expect(lineReadiness(line({}))).toEqual(waiting);
    // The API's stand-in before any report: its reason repeats the state.
    expect(lineReadiness(line({ ready: { status: "Unknown", reason: "Pending", message: "the operator has not reported on this line yet" } }))).toEqual(waiting);
  });
  it("keeps a real reason while the state is Unknown", () => {
    expect(lineReadiness(line({ ready: { status: "Unknown", reason: "TrunkProvisioning", message: "creating the SIP trunk" } }))).toEqual({ state: "pending", reason: "TrunkProvisioning", message: "creating the SIP trunk" });
  });
  it("carries the operator's reason and message", () => {
    expect(lineReadiness(line({ ready: { status: "False", reason: "PurchaseFailed", message: "Twilio: not available" } }))).toEqual({ state: "not-ready", reason: "PurchaseFailed", message: "Twilio: not available" });
    expect(lineReadiness(line({ ready: { status: "True", reason: "Ready" } })).state).toBe("ready");
  });
  it("shows the number bought, else the one asked for", () => {
    expect(lineNumber(line({ phoneNumber: "+14155550199" }))).toBe("+14155550199");
    expect(lineNumber(line({}))).toBe("+14155550101");
    expect(lineNumber(line({ spec: { agentRef: { name: "a" }, number: "+14155550142" } }))).toBe("+14155550142");
  });
});
