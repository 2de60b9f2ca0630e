import { describe, expect, it } from "vitest";

import { unwrap } from "./client";
import { ApiError, errorMessage, fieldError, toApiError } from "./errors";

describe("toApiError", () => {
  it("keeps the API's message, code and fields", () => {
    const error = toApiError(409, {
      code: "conflict",
      message: "agent a changed since resourceVersion 1: read it again and retry",
      field: "resourceVersion",
      requestId: "r1",
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(409);
    expect(error.message).toContain("changed since resourceVersion 1");
    expect(fieldError(error, "resourceVersion")).toBe(error.message);
    expect(error.requestId).toBe("r1");
  });

  it("maps every field issue", () => {
    const error = toApiError(422, {
      code: "validation_error",
      message: "two problems",
      errors: [
        { field: "spec.llm.temperature", message: "too hot" },
        { field: "name", message: "bad name" },
      ],
    });
    expect(fieldError(error, "name")).toBe("bad name");
    expect(fieldError(error, "spec.language")).toBeUndefined();
  });

  it("reads FastAPI's default validation shape", () => {
    const error = toApiError(422, { detail: [{ loc: ["body", "email"], msg: "not an email" }] });
    expect(error.message).toBe("email: not an email");
    expect(fieldError(error, "email")).toBe("not an email");
  });

  it("says something useful for a body it does not know", () => {
    expect(toApiError(502, "<html>").message).toMatch(/server failed/);
    expect(toApiError(404, undefined).message).toMatch(/HTTP 404/);
  });
});

describe("errorMessage", () => {
  it("names a network failure as such", () => {
    expect(errorMessage(new TypeError("fetch failed"))).toMatch(/Cannot reach the server/);
    expect(errorMessage("weird")).toBe("Something went wrong.");
  });
});

describe("unwrap", () => {
  it("returns data on success and throws the API's error otherwise", async () => {
    const ok = new Response("{}", { status: 200 });
    await expect(unwrap(Promise.resolve({ data: { a: 1 }, response: ok }))).resolves.toEqual({ a: 1 });
    const failed = new Response("{}", { status: 403 });
    const call = Promise.resolve({ error: { code: "forbidden", message: "you are a viewer" }, response: failed });
    await expect(unwrap(call)).rejects.toThrow("you are a viewer");
  });
});
