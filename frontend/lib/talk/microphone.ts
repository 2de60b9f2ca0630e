/** What to tell a person whose microphone could not be opened, by the DOMException's name
 * (getUserMedia's documented failures). */

export function microphoneProblem(error: unknown): string {
  const name = error instanceof Error || (typeof error === "object" && error !== null && "name" in error) ? String((error as { name: unknown }).name) : "";
  switch (name) {
    case "NotAllowedError":
    case "SecurityError":
      return "Microphone access was refused. Allow this site to use the microphone (the icon in the address bar), then start the call again.";
    case "NotFoundError":
    case "OverconstrainedError":
      return "No microphone was found. Connect one, then start the call again.";
    case "NotReadableError":
    case "AbortError":
      return "The microphone is in use by another application or could not be started. Close the other application, then try again.";
    default:
      return error instanceof Error && error.message ? `The microphone could not be opened: ${error.message}` : "The microphone could not be opened.";
  }
}
