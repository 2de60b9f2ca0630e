import { describe, expect, it } from "vitest";

import { contentSecurityPolicy, isPublicPath } from "./security";

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

describe("isPublicPath", () => {
  it("lets log-in, sign-up and invitation links through", () => {
    expect(isPublicPath("/login")).toBe(true);
    expect(isPublicPath("/invitations/tok")).toBe(true);
    expect(isPublicPath("/loginx")).toBe(false);
    expect(isPublicPath("/w/acme/agents")).toBe(false);
    expect(isPublicPath("/")).toBe(false);
  });
});
