import { describe, expect, it } from "vitest";

import { createApiClient } from "./client";
import { CSRF_HEADER, needsCsrf, readCookie } from "./csrf";

describe("readCookie", () => {
  it("finds one cookie among several and decodes it", () => {
    const cookies = "theme=dark; arkenos_csrf=abc%3D%3D; other=1";
    expect(readCookie(cookies, "arkenos_csrf")).toBe("abc==");
    expect(readCookie(cookies, "missing")).toBeNull();
    expect(readCookie("", "arkenos_csrf")).toBeNull();
  });

  it("does not match a cookie whose name only ends with the wanted one", () => {
    expect(readCookie("not_arkenos_csrf=x", "arkenos_csrf")).toBeNull();
  });
});

describe("the client's CSRF header", () => {
  function recordingClient(cookies: string) {
    const seen: Request[] = [];
    const client = createApiClient("http://api.test", () => cookies, async (request) => {
      seen.push(request as Request);
      return new Response(JSON.stringify([]), { headers: { "content-type": "application/json" } });
    });
    return { client, seen };
  }

  it("is sent on writes, from the cookie", async () => {
    const { client, seen } = recordingClient("arkenos_csrf=token-1");
    await client.POST("/api/v1/auth/logout");
    expect(seen[0].headers.get(CSRF_HEADER)).toBe("token-1");
  });

  it("is not sent on reads", async () => {
    const { client, seen } = recordingClient("arkenos_csrf=token-1");
    await client.GET("/api/v1/workspaces");
    expect(seen[0].headers.get(CSRF_HEADER)).toBeNull();
  });

  it("is left out when there is no cookie (the API then answers 403)", async () => {
    const { client, seen } = recordingClient("");
    await client.DELETE("/api/v1/workspaces/{workspace}/keys/{provider}", {
      params: { path: { workspace: "acme", provider: "openai" } },
    });
    expect(seen[0].headers.get(CSRF_HEADER)).toBeNull();
  });

  it("classifies methods", () => {
    expect(needsCsrf("get")).toBe(false);
    expect(needsCsrf("PUT")).toBe(true);
  });
});
