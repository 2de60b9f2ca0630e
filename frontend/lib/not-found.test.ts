import { describe, expect, it } from "vitest";

import { describeMissing } from "./not-found";

describe("describeMissing", () => {
  it("names a missing agent and links to the list and its code", () => {
    const missing = describeMissing("/w/acme/agents/front-desk");
    expect(missing.title).toBe("No such agent");
    expect(missing.detail).toContain("“front-desk”");
    expect(missing.links.map((l) => l.href)).toEqual(["/w/acme/agents", "/w/acme/agents/front-desk/code"]);
  });

  it("does not send a missing agent's code page back to its code", () => {
    expect(describeMissing("/w/acme/agents/front-desk/code").links.map((l) => l.href)).toEqual(["/w/acme/agents"]);
  });

  it("names a missing call and links to the call logs", () => {
    const missing = describeMissing("/w/acme/calls/8c0e7f0e-3a1b-4c55-9d0e-2b7f5d2e9a11");
    expect(missing.title).toBe("No such call");
    expect(missing.links).toEqual([{ href: "/w/acme/calls", label: "Call logs" }]);
  });

  it("decodes the address and treats anything else as a missing page", () => {
    expect(describeMissing("/w/acme/agents/caf%C3%A9").detail).toContain("“café”");
    expect(describeMissing("/w/acme/agents/%E0%A4%A").detail).toContain("%E0%A4%A");
    const page = describeMissing("/w/acme/nowhere");
    expect(page.title).toBe("This page does not exist");
    expect(page.links).toEqual([{ href: "/w/acme/agents", label: "Agents" }]);
  });

  it("says something useful without an address", () => {
    expect(describeMissing("").links).toEqual([{ href: "/workspaces", label: "Your workspaces" }]);
  });
});
