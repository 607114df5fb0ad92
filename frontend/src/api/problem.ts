/**
 * Every API error is an RFC 9457 problem document with a stable `code`; validation errors also
 * list each field. ApiError carries that to the UI, which shows `fieldErrors` beside the inputs
 * and `message` above the form.
 */

import type { components } from "./schema";

/** The error body every API error has, as the OpenAPI schema describes it (generated, never written by hand). */
export type Problem = components["schemas"]["Problem"];
/** One invalid input of a `validation_error`. */
export type ProblemFieldError = components["schemas"]["ProblemFieldError"];

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Field name (as the API spells it, dotted for nested: "splits.0.amount_minor") → message. */
  readonly fieldErrors: Record<string, string>;
  readonly retryAfterSeconds: number | null;

  constructor(
    status: number,
    code: string,
    message: string,
    fieldErrors: Record<string, string> = {},
    retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.fieldErrors = fieldErrors;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  static network(): ApiError {
    return new ApiError(
      0,
      "network_error",
      "We could not reach Family Budget. Check your connection and try again — nothing you typed is lost.",
    );
  }

  static fromProblem(problem: unknown, response: Response): ApiError {
    const status = response.status;
    const retryAfter = Number(response.headers.get("Retry-After"));
    const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null;
    if (!isProblem(problem)) {
      return new ApiError(
        status,
        status >= 500 ? "server_error" : "http_error",
        genericMessage(status),
        {},
        retryAfterSeconds,
      );
    }
    const fieldErrors: Record<string, string> = {};
    for (const error of problem.errors ?? []) {
      if (!(error.field in fieldErrors))
        fieldErrors[error.field] = humanizeFieldMessage(error.message);
    }
    const message =
      status >= 500
        ? genericMessage(status)
        : (problem.detail ?? problem.title ?? genericMessage(status));
    return new ApiError(
      status,
      problem.code ?? "http_error",
      message,
      fieldErrors,
      retryAfterSeconds,
    );
  }
}

function isProblem(value: unknown): value is Problem {
  return (
    typeof value === "object" &&
    value !== null &&
    "status" in value &&
    typeof (value as Problem).status === "number"
  );
}

/** Pydantic prefixes custom messages with "Value error, "; a person does not need to read that. */
function humanizeFieldMessage(message: string): string {
  const trimmed = message.replace(/^Value error, /, "");
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
}

function genericMessage(status: number): string {
  if (status === 429) return "Too many attempts. Wait a moment and try again.";
  if (status >= 500)
    return "Something went wrong on our side. Your changes were not saved; try again in a moment.";
  if (status === 404)
    return "That item no longer exists. It may have been deleted by someone else.";
  return "The request could not be completed.";
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return "Something unexpected happened. Try again.";
}
