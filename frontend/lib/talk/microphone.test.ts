import { describe, expect, it } from "vitest";

import { microphoneProblem } from "./microphone";

const domError = (name: string, message = "") => Object.assign(new Error(message), { name });

describe("microphone problems", () => {
  it("says how to allow the microphone when access was refused", () => {
    expect(microphoneProblem(domError("NotAllowedError", "Permission denied"))).toMatch(/refused.*Allow this site/);
  });

  it("names a missing microphone and one in use", () => {
    expect(microphoneProblem(domError("NotFoundError"))).toMatch(/No microphone/);
    expect(microphoneProblem(domError("NotReadableError"))).toMatch(/in use/);
  });

  it("passes any other failure's message on", () => {
    expect(microphoneProblem(new Error("device lost"))).toBe("The microphone could not be opened: device lost");
    expect(microphoneProblem("?")).toBe("The microphone could not be opened.");
  });
});
