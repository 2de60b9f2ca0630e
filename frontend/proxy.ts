/** In front of every request: `/api/*` goes to the Arkenos API (so the session cookie is
 * first-party and SameSite holds), pages get a per-request Content-Security-Policy nonce, and a
 * page of the app without a session cookie sends the person to log in. */

import { NextResponse, type NextRequest } from "next/server";

import { SESSION_COOKIE } from "@/lib/api/csrf";
import { PATHNAME_HEADER } from "@/lib/not-found";
import { contentSecurityPolicy, isPublicPath, livekitConnectSources } from "@/lib/security";

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (pathname.startsWith("/api/")) {
    const upstream = process.env.ARKENOS_API_URL ?? "http://127.0.0.1:8000";
    return NextResponse.rewrite(new URL(pathname + search, upstream));
  }
  if (!isPublicPath(pathname) && !request.cookies.has(SESSION_COOKIE)) {
    const login = new URL("/login", request.url);
    if (pathname !== "/") login.searchParams.set("next", pathname + search);
    return NextResponse.redirect(login);
  }
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  // ARKENOS_LIVEKIT_PUBLIC_URL: the LiveKit URL the API gives browsers, so browser calls may connect.
  const policy = contentSecurityPolicy(nonce, process.env.NODE_ENV === "development", livekitConnectSources(process.env.ARKENOS_LIVEKIT_PUBLIC_URL));
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  // What a not-found page (a server component, given no props) says depends on the address.
  requestHeaders.set(PATHNAME_HEADER, pathname);
  requestHeaders.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

export const config = {
  matcher: [
    {
      source: "/((?!_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
