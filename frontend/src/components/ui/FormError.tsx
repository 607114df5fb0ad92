import { formErrorText, serverFieldErrors, type CodeFields } from "@/api/serverErrors";

import { Alert } from "./Alert";

/**
 * The message of a failed request for the top of a form, or nothing before one fails. When the
 * API refused particular fields (a validation error, or a code that `codeFields` maps to a field)
 * it only points to them, since their messages show at the fields.
 */
export function FormError({ error, codeFields }: { error: unknown; codeFields?: CodeFields }) {
  const text = formErrorText(error, codeFields);
  return text ? <Alert tone="error">{text}</Alert> : null;
}

/** The API's message for one field ("name", "splits.0.amount_minor"), if it rejected that field. */
export function fieldError(error: unknown, field: string): string | undefined {
  return serverFieldErrors(error)[field];
}
