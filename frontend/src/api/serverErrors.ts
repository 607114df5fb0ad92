/**
 * What a form shows of a refused request: messages at the fields the API named, and one line
 * above the form. Every form uses these, through FormError and fieldError in components/ui.
 */
import { ApiError, errorMessage } from "./problem";

/**
 * Some refusals are about one field but arrive as a plain problem with a code (409 email_taken,
 * 422 weak_password) rather than as a validation error listing fields. This maps such codes to
 * the field they concern, so the message appears where the person has to act.
 */
export type CodeFields = Readonly<Record<string, string>>;

/** Field (API name) → message, from a validation error's field list and from mapped codes. */
export function serverFieldErrors(
  error: unknown,
  codeFields: CodeFields = {},
): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const errors = { ...error.fieldErrors };
  const field = codeFields[error.code];
  if (field && !(field in errors)) errors[field] = error.message;
  return errors;
}

/** What to show above the form, or null when nothing failed. */
export function formErrorText(error: unknown, codeFields: CodeFields = {}): string | null {
  if (!error) return null;
  if (error instanceof ApiError) {
    if (error.status === 429)
      return `Too many attempts. ${retryAfterText(error.retryAfterSeconds)}`;
    if (Object.keys(serverFieldErrors(error, codeFields)).length > 0)
      return "Please correct the highlighted fields.";
  }
  return errorMessage(error);
}

/** "Try again in 45 seconds" / "in 3 minutes" for a 429's Retry-After. */
export function retryAfterText(seconds: number | null): string {
  if (seconds === null || seconds <= 0) return "Wait a moment, then try again.";
  if (seconds < 60) return `Try again in ${seconds} second${seconds === 1 ? "" : "s"}.`;
  const minutes = Math.ceil(seconds / 60);
  return `Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

/** Client-side errors win: they describe what is typed now, the server's what was sent before. */
export function mergeFieldErrors(
  client: Partial<Record<string, string>>,
  server: Record<string, string>,
): Partial<Record<string, string>> {
  const merged: Partial<Record<string, string>> = { ...server };
  for (const [field, message] of Object.entries(client))
    if (message !== undefined) merged[field] = message;
  return merged;
}
