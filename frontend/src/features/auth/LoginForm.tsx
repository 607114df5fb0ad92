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
import { TwoFactorRequired, useSession } from "@/features/session/SessionProvider";

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

  if (signIn.error instanceof TwoFactorRequired)
    return (
      <SecondStep challengeToken={signIn.error.challengeToken} onRestart={() => signIn.reset()} />
    );

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

/** The second step of a sign-in with two-step sign-in on: a code from the app, or a recovery code. */
function SecondStep({
  challengeToken,
  onRestart,
}: {
  challengeToken: string;
  onRestart: () => void;
}) {
  const { completeTwoFactor } = useSession();
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState("");
  const [remember, setRemember] = useState(false);
  const finish = useMutation({
    mutationFn: () =>
      completeTwoFactor({
        challenge_token: challengeToken,
        remember_device: remember,
        ...(useRecovery ? { recovery_code: code.trim() } : { code: code.replace(/\s/g, "") }),
      }),
  });
  const expired =
    finish.error instanceof Error &&
    "code" in finish.error &&
    finish.error.code === "invalid_two_factor_challenge";
  return (
    <>
      <AuthHeading title="Two-step sign-in">
        {useRecovery
          ? "Enter one of the recovery codes you saved when you turned on two-step sign-in."
          : "Enter the 6-digit code your authenticator app shows for Family Budget."}
      </AuthHeading>
      <form
        noValidate
        className="flex flex-col gap-4"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          if (code.trim()) finish.mutate();
        }}
      >
        <FormError error={finish.error} />
        {expired ? (
          <Button variant="secondary" onClick={onRestart}>
            Enter your password again
          </Button>
        ) : null}
        <TextField
          key={useRecovery ? "recovery" : "code"}
          label={useRecovery ? "Recovery code" : "Authentication code"}
          value={code}
          onChange={(event) => setCode(event.target.value)}
          autoComplete="one-time-code"
          inputMode={useRecovery ? "text" : "numeric"}
          maxLength={useRecovery ? 20 : 10}
          autoFocus
          required
        />
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            className="h-5 w-5"
            checked={remember}
            onChange={(event) => setRemember(event.target.checked)}
          />
          Remember this browser for 30 days
        </label>
        <Button type="submit" busy={finish.isPending}>
          Verify and sign in
        </Button>
        <Button
          variant="ghost"
          onClick={() => {
            setUseRecovery(!useRecovery);
            setCode("");
            finish.reset();
          }}
        >
          {useRecovery ? "Use the authenticator app instead" : "Use a recovery code instead"}
        </Button>
      </form>
    </>
  );
}
