"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, unwrap } from "@/api/client";
import { mergeFieldErrors, serverFieldErrors } from "@/api/serverErrors";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Spinner } from "@/components/ui/Card";
import { TextField } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormError";
import { useHydrated } from "@/lib/useHydrated";

import { AuthHeading, TextLink } from "./AuthFrame";
import { emailError } from "./validation";

/** Asks for a reset link. The answer never says whether the address has an account. */
export function ForgotPasswordForm() {
  const [email, setEmail] = useState("");
  const [clientError, setClientError] = useState<string | undefined>();
  const request = useMutation({
    mutationFn: (address: string) =>
      unwrap(api.POST("/api/v1/auth/forgot-password", { body: { email: address } })),
  });
  const errors = mergeFieldErrors({ email: clientError }, serverFieldErrors(request.error));
  const hydrated = useHydrated();

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = emailError(email);
    setClientError(found);
    if (!found) request.mutate(email.trim());
  }

  if (!hydrated) return <Spinner />;
  if (request.isSuccess) {
    return (
      <>
        <AuthHeading title="Check your email" />
        <Alert tone="success">
          {request.data.detail}. It is valid for a limited time; look in your spam folder if it does
          not arrive.
        </Alert>
        <div className="mt-4 flex flex-col text-sm">
          <TextLink href="/login">Back to sign in</TextLink>
          <button
            type="button"
            className="min-h-11 self-start font-medium text-primary hover:underline"
            onClick={() => request.reset()}
          >
            Use another address
          </button>
        </div>
      </>
    );
  }
  return (
    <>
      <AuthHeading title="Forgot your password?">
        Enter your email and we will send you a link to choose a new one.
      </AuthHeading>
      <form noValidate onSubmit={submit} className="flex flex-col gap-4">
        <FormError error={request.error} />
        <TextField
          label="Email"
          type="email"
          autoComplete="email"
          inputMode="email"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={errors.email}
          required
        />
        <Button type="submit" busy={request.isPending}>
          Send reset link
        </Button>
      </form>
      <p className="mt-4 text-sm">
        <TextLink href="/login">Back to sign in</TextLink>
      </p>
    </>
  );
}
