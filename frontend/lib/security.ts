/** The dashboard's Content-Security-Policy and which pages need no session. */

const PUBLIC_PAGES = new Set(["/login", "/signup"]);
const PUBLIC_PREFIXES = ["/invitations/"];

export function isPublicPath(pathname: string): boolean {
  return PUBLIC_PAGES.has(pathname) || PUBLIC_PREFIXES.some((prefix) => pathname.startsWith(prefix));
}

/** The origins the browser may open for a call: LiveKit's signalling WebSocket and the HTTP
 * origin livekit-client checks when a connection fails. `livekitUrl` is the URL the API hands
 * browsers (its livekit_public_url); unset or unparsable, no call can connect. */
export function livekitConnectSources(livekitUrl: string | undefined): string[] {
  if (!livekitUrl) return [];
  let url: URL;
  try {
    url = new URL(livekitUrl);
  } catch {
    return [];
  }
  const secure = url.protocol === "wss:" || url.protocol === "https:";
  const insecure = url.protocol === "ws:" || url.protocol === "http:";
  if (!secure && !insecure) return [];
  return [`${secure ? "wss" : "ws"}://${url.host}`, `${secure ? "https" : "http"}://${url.host}`];
}

/** Scripts only from this origin with the request's nonce ('strict-dynamic' lets Next's own
 * chunks load); no plugins, no framing, no form posts elsewhere, API calls to this origin only
 * (and LiveKit's, for calls). Styles allow inline attributes: Radix positions popovers with
 * style attributes. */
export function contentSecurityPolicy(nonce: string, development = false, connectSources: readonly string[] = []): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    ["connect-src 'self'", ...connectSources].join(" "),
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
