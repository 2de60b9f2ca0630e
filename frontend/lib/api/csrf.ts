/** The API's double-submit CSRF scheme: log-in sets the readable cookie `arkenos_csrf`, and
 * every cookie-authenticated write echoes it in `X-CSRF-Token`. */

export const CSRF_COOKIE = "arkenos_csrf";
export const CSRF_HEADER = "X-CSRF-Token";
export const SESSION_COOKIE = "arkenos_session";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The value of one cookie in a `document.cookie`-style string, or null. */
export function readCookie(cookies: string, name: string): string | null {
  for (const part of cookies.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) {
      return decodeURIComponent(rest.join("="));
    }
  }
  return null;
}

/** Whether a request with this method changes state (and so needs the CSRF header). */
export function needsCsrf(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}
