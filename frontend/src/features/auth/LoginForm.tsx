"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { mergeFieldErrors, serverFieldErrors } from "@/api/serverErrors";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Spinner } from "@/components/ui/Card";
import { TextField } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormError";
import { safeNextPath } from "@/features/session/RequireSession";
import { useSession } from "@/features/session/SessionProvider";

import { AuthHeading, TextLink } from "./AuthFrame";
import { withNext } from "./links";
import { useSignedInRedirect } from "./useSignedInRedirect";
import { hasErrors, validateLogin, type FieldErrors } from "./validation";

export type LoginNotice = "password-reset" | null;

export function LoginForm({ next, notice }: { next: string | null; notice: LoginNotice }) {
  const { login } = useSession();
  const nextPath = safeNextPath(next);
  const { status } = useSignedInRedirect(nextPath ?? "/");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const signIn = useMutation({ mutationFn: () => login(email.trim(), password) });

  if (status !== "anonymous")
    return <Spinner label={status === "loading" ? "Loading" : "Signing you in"} />;

  const errors = mergeFieldErrors(clientErrors, serverFieldErrors(signIn.error));

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateLogin({ email, password });
    setClientErrors(found);
    if (hasErrors(found)) return;
    signIn.mutate();
  }

  return (
    <>
      <AuthHeading title="Sign in">Welcome back to your family&apos;s budget.</AuthHeading>
      <form noValidate onSubmit={submit} className="flex flex-col gap-4">
        {notice === "password-reset" ? (
          <Alert tone="success">Your password has been changed. Sign in with the new one.</Alert>
        ) : null}
        <FormError error={signIn.error} />
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
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          error={errors.password}
          required
        />
        <Button type="submit" busy={signIn.isPending}>
          Sign in
        </Button>
      </form>
      <div className="mt-4 flex flex-col text-sm">
        <TextLink href={withNext("/forgot-password", null)}>Forgot your password?</TextLink>
        <p className="text-muted">
          New here? <TextLink href={withNext("/signup", nextPath)}>Create an account</TextLink>
        </p>
      </div>
    </>
  );
}
