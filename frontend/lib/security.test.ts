import { describe, expect, it } from "vitest";

import { contentSecurityPolicy, isPublicPath, livekitConnectSources } from "./security";

describe("contentSecurityPolicy", () => {
  it("allows scripts only with the nonce, and no eval in production", () => {
    const policy = contentSecurityPolicy("abc");
    expect(policy).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic'");
    expect(policy).not.toContain("unsafe-eval");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("worker-src 'self'");
  });

  it("allows eval only for the development server", () => {
    expect(contentSecurityPolicy("abc", true)).toContain("'unsafe-eval'");
  });
});

describe("livekitConnectSources", () => {
  it("allows LiveKit's WebSocket and HTTP origin, secure or not as configured", () => {
    expect(livekitConnectSources("wss://livekit.example.com/some/path")).toEqual(["wss://livekit.example.com", "https://livekit.example.com"]);
    expect(livekitConnectSources("ws://127.0.0.1:7880")).toEqual(["ws://127.0.0.1:7880", "http://127.0.0.1:7880"]);
  });

  it("allows nothing for an unset, unparsable or non-web URL", () => {
    expect(livekitConnectSources(undefined)).toEqual([]);
    expect(livekitConnectSources("not a url")).toEqual([]);
    expect(livekitConnectSources("ftp://livekit.example.com")).toEqual([]);
  });

  it("ends up in connect-src only", () => {
    const policy = contentSecurityPolicy("abc", false, livekitConnectSources("wss://lk.example.com"));
    expect(policy).toContain("connect-src 'self' wss://lk.example.com https://lk.example.com;");
    expect(contentSecurityPolicy("abc")).toContain("connect-src 'self';");
  });
});

describe("isPublicPath", () => {
  it("lets log-in, sign-up and invitation links through", () => {
    expect(isPublicPath("/login")).toBe(true);
    expect(isPublicPath("/invitations/tok")).toBe(true);
    expect(isPublicPath("/loginx")).toBe(false);
    expect(isPublicPath("/w/acme/agents")).toBe(false);
    expect(isPublicPath("/")).toBe(false);
  });
});
