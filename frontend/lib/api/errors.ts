/** Errors from the API in one shape, so the person always reads the API's own message. */

import type { components } from "./schema";

export type ErrorBody = components["schemas"]["ErrorBody"];
export type FieldIssue = components["schemas"]["FieldIssue"];

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | null;
  readonly issues: FieldIssue[];
  readonly requestId: string | null;

  constructor(status: number, body: ErrorBody) {
    super(body.message);
    this.name = "ApiError";
    this.status = status;
    this.code = body.code;
    this.field = body.field ?? null;
    this.issues = body.errors ?? [];
    this.requestId = body.requestId ?? null;
  }
}

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== "object" || value === null) return false;
  const body = value as Record<string, unknown>;
  return typeof body.message === "string" && typeof body.code === "string";
}

/** FastAPI's default 422 shape, in case a route answers with it rather than ErrorBody. */
function fromValidationDetail(value: unknown): ErrorBody | null {
  if (typeof value !== "object" || value === null) return null;
  const detail = (value as { detail?: unknown }).detail;
  if (!Array.isArray(detail)) return null;
  const errors = detail.map((item: { loc?: unknown[]; msg?: string }) => ({
    field: (item.loc ?? []).filter((part) => part !== "body").join("."),
    message: item.msg ?? "is not valid",
  }));
  const message = errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join("; ");
  return { code: "validation_error", message, errors, field: errors[0]?.field ?? null };
}

/** The error a failed response stands for, whatever its body was. */
export function toApiError(status: number, body: unknown): ApiError {
  if (isErrorBody(body)) return new ApiError(status, body);
  const validation = fromValidationDetail(body);
  if (validation) return new ApiError(status, validation);
  const message =
    status >= 500
      ? `The server failed (HTTP ${status}). Try again in a moment.`
      : `The request failed (HTTP ${status}).`;
  return new ApiError(status, { code: `http_${status}`, message });
}

/** What to show a person for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return "Cannot reach the server. Check your connection.";
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

/** The API's message for one form field, if the error names it (dotted camelCase path). */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const issue = error.issues.find((i) => i.field === field);
  if (issue) return issue.message;
  return error.field === field ? error.message : undefined;
}
