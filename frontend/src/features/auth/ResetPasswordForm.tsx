"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { api, unwrap } from "@/api/client";
import { ApiError } from "@/api/problem";
import { mergeFieldErrors, serverFieldErrors, type CodeFields } from "@/api/serverErrors";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Spinner } from "@/components/ui/Card";
import { TextField } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormError";
import { useSession } from "@/features/session/SessionProvider";
import { useHydrated } from "@/lib/useHydrated";

import { AuthHeading, TextLink } from "./AuthFrame";
import { hasErrors, PASSWORD_HINT, validateNewPassword, type FieldErrors } from "./validation";

const RESET_CODE_FIELDS: CodeFields = { weak_password: "new_password" };

export function ResetPasswordForm({ token }: { token: string | null }) {
  const router = useRouter();
  const { state, logout } = useSession();
  const [password, setPassword] = useState("");
  const [confirmation, setConfirmation] = useState("");
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const reset = useMutation({
    mutationFn: async () => {
      await unwrap(
        api.POST("/api/v1/auth/reset-password", {
          body: { token: token ?? "", new_password: password },
        }),
      );
      // The reset ended every session, this browser's included: forget the one held in memory.
      if (state.status === "authenticated") await logout();
    },
    onSuccess: () => router.replace("/login?notice=password-reset"),
  });
  const hydrated = useHydrated();

  if (!token) {
    return (
      <>
        <AuthHeading title="Choose a new password" />
        <Alert tone="error">
          This page needs the link from the password reset email. Open the link from the email, or
          ask for a new one.
        </Alert>
        <p className="mt-4 text-sm">
          <TextLink href="/forgot-password">Send me a reset link</TextLink>
        </p>
      </>
    );
  }

  if (!hydrated) return <Spinner />;

  const invalidToken =
    reset.error instanceof ApiError && reset.error.code === "invalid_reset_token";
  const errors = mergeFieldErrors(clientErrors, serverFieldErrors(reset.error, RESET_CODE_FIELDS));

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateNewPassword({ password, confirmation });
    setClientErrors(found);
    if (!hasErrors(found)) reset.mutate();
  }

  return (
    <>
      <AuthHeading title="Choose a new password">
        You will be signed out everywhere and can then sign in with it.
      </AuthHeading>
      <form noValidate onSubmit={submit} className="flex flex-col gap-4">
        {invalidToken ? (
          <Alert tone="error">
            This reset link is not valid any more: it may have expired, been used, or been replaced
            by a newer one. <TextLink href="/forgot-password">Ask for a new link</TextLink>
          </Alert>
        ) : (
          <FormError error={reset.error} codeFields={RESET_CODE_FIELDS} />
        )}
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          error={errors.new_password}
          hint={PASSWORD_HINT}
          required
        />
        <TextField
          label="Repeat password"
          type="password"
          autoComplete="new-password"
          value={confirmation}
          onChange={(event) => setConfirmation(event.target.value)}
          error={errors.confirmation}
          required
        />
        <Button type="submit" busy={reset.isPending || reset.isSuccess}>
          Set new password
        </Button>
      </form>
    </>
  );
}
