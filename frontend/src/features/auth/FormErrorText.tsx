import { formErrorText, type CodeFields } from "@/api/serverErrors";
import { Alert } from "@/components/ui/Alert";

/** The top-of-form message of a failed request; field-specific refusals point to their field. */
export function FormErrorText({ error, codeFields }: { error: unknown; codeFields?: CodeFields }) {
  const text = formErrorText(error, codeFields);
  return text ? <Alert tone="error">{text}</Alert> : null;
}
