import { ApiError, errorMessage } from "@/api/problem";

import { Alert } from "./Alert";

/** The message of a failed request for the top of a form (field errors show at their fields). */
export function FormError({ error }: { error: unknown }) {
  if (!error) return null;
  const fieldsOnly =
    error instanceof ApiError && error.status === 422 && Object.keys(error.fieldErrors).length > 0;
  return (
    <Alert tone="error">
      {fieldsOnly ? "Please correct the highlighted fields." : errorMessage(error)}
    </Alert>
  );
}

/** The API's message for one field ("name", "splits.0.amount_minor"), if it rejected that field. */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return error.fieldErrors[field];
}
