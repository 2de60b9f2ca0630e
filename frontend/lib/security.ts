/** The dashboard's Content-Security-Policy and which pages need no session. */

const PUBLIC_PAGES = new Set(["/login", "/signup"]);
const PUBLIC_PREFIXES = ["/invitations/"];

export function isPublicPath(pathname: string): boolean {
  return PUBLIC_PAGES.has(pathname) || PUBLIC_PREFIXES.some((prefix) => pathname.startsWith(prefix));
}

/** Scripts only from this origin with the request's nonce ('strict-dynamic' lets Next's own
 * chunks load); no plugins, no framing, no form posts elsewhere, API calls to this origin only.
 * Styles allow inline attributes: Radix positions popovers with style attributes. */
export function contentSecurityPolicy(nonce: string, development = false): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    // The code editor's (Monaco's) worker is a bundled file of this origin.
    "worker-src 'self'",
    "media-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  return directives.join("; ");
}
