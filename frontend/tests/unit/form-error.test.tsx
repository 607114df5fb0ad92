import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { ApiError, type Problem } from "@/api/problem";
import { fieldError, FormError } from "@/components/ui/FormError";

/** An ApiError as the client makes it from a problem+json answer. */
function refusal(
  fields: Pick<Problem, "status" | "code" | "detail"> & Partial<Problem>,
  headers: Record<string, string> = {},
): ApiError {
  const problem: Problem = {
    type: `https://family-budget.app/problems/${fields.code.replaceAll("_", "-")}`,
    title: "Error",
    ...fields,
  };
  const response = new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { "Content-Type": "application/problem+json", ...headers },
  });
  return ApiError.fromProblem(problem, response);
}

const validationError = refusal({
  status: 422,
  code: "validation_error",
  detail: "The request has invalid fields",
  errors: [
    {
      field: "name",
      location: "body",
      message: "Value error, name must not be blank",
      type: "value_error",
    },
    {
      field: "splits.0.amount_minor",
      location: "body",
      message: "Input should be less than 1",
      type: "less_than",
    },
  ],
});

const invitationPending = refusal({
  status: 409,
  code: "invitation_pending",
  detail: "This address already has a pending invitation",
});

describe("FormError", () => {
  it("shows nothing before a request has failed", () => {
    const { container } = render(
      <>
        <FormError error={null} />
        <FormError error={undefined} />
      </>,
    );
    expect(container.innerHTML).toBe("");
  });

  it("announces the message as an alert in the error style", () => {
    render(<FormError error={invitationPending} />);
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toBe("This address already has a pending invitation");
    expect(alert.className).toContain("border-danger");
    expect(alert.className).toContain("text-danger");
  });

  it("points to the fields when the API refused particular fields", () => {
    render(<FormError error={validationError} />);
    expect(screen.getByRole("alert").textContent).toBe("Please correct the highlighted fields.");
  });

  it("points to a field for a coded refusal only where the form maps the code to it", () => {
    const { rerender } = render(
      <FormError error={invitationPending} codeFields={{ invitation_pending: "email" }} />,
    );
    expect(screen.getByRole("alert").textContent).toBe("Please correct the highlighted fields.");
    rerender(<FormError error={invitationPending} codeFields={{ email_taken: "email" }} />);
    expect(screen.getByRole("alert").textContent).toBe(
      "This address already has a pending invitation",
    );
  });

  it("says how long to wait after too many attempts", () => {
    const tooMany = refusal(
      { status: 429, code: "rate_limited", detail: "Too many attempts; try again later" },
      { "Retry-After": "45" },
    );
    render(<FormError error={tooMany} />);
    expect(screen.getByRole("alert").textContent).toBe(
      "Too many attempts. Try again in 45 seconds.",
    );
  });

  it("keeps server details of a 5xx to itself and words an unexpected failure plainly", () => {
    const { rerender } = render(
      <FormError error={refusal({ status: 500, code: "internal_error", detail: "Traceback" })} />,
    );
    expect(screen.getByRole("alert").textContent).toBe(
      "Something went wrong on our side. Your changes were not saved; try again in a moment.",
    );
    rerender(<FormError error={new TypeError("x is undefined")} />);
    expect(screen.getByRole("alert").textContent).toBe("Something unexpected happened. Try again.");
  });
});

describe("fieldError", () => {
  it("gives the API's message for each refused field, without Pydantic's prefix", () => {
    expect(fieldError(validationError, "name")).toBe("Name must not be blank");
    expect(fieldError(validationError, "splits.0.amount_minor")).toBe(
      "Input should be less than 1",
    );
  });

  it("gives nothing for a field the API accepted or an error that is not a refusal", () => {
    expect(fieldError(validationError, "payee")).toBeUndefined();
    expect(fieldError(invitationPending, "email")).toBeUndefined();
    expect(fieldError(new Error("offline"), "name")).toBeUndefined();
    expect(fieldError(null, "name")).toBeUndefined();
  });
});
