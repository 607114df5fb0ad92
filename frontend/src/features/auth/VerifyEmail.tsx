"use client";

import { useMutation } from "@tanstack/react-query";
import { useEffect } from "react";

import { api, unwrap } from "@/api/client";
import { ApiError } from "@/api/problem";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Spinner } from "@/components/ui/Card";
import { FormError } from "@/components/ui/FormError";
import { useSession } from "@/features/session/SessionProvider";

import { AuthHeading, TextLink } from "./AuthFrame";
import { withNext } from "./links";
import { useSendOnce } from "./useSendOnce";

/**
 * With a token (the emailed link): confirm it. Without: let a signed-in person ask for a new link.
 */
export function VerifyEmail({ token }: { token: string | null }) {
  return token ? <ConfirmToken token={token} /> : <RequestNewLink />;
}

function ConfirmToken({ token }: { token: string }) {
  const { state, reloadMe } = useSession();
  const confirm = useMutation({
    mutationFn: async () => {
      await unwrap(api.POST("/api/v1/auth/verify-email", { body: { token } }));
    },
  });
  const { mutate } = confirm;
  useSendOnce(mutate);

  const signedInUnverified = state.status === "authenticated" && !state.me.email_verified;
  useEffect(() => {
    if (confirm.isSuccess && signedInUnverified) void reloadMe();
  }, [confirm.isSuccess, signedInUnverified, reloadMe]);

  if (confirm.isSuccess) {
    return (
      <>
        <AuthHeading title="Email confirmed" />
        <Alert tone="success">Thank you: your email address is confirmed.</Alert>
        <p className="mt-4 text-sm">
          {state.status === "anonymous" ? (
            <TextLink href="/login">Sign in</TextLink>
          ) : (
            <TextLink href="/">Continue to Family Budget</TextLink>
          )}
        </p>
      </>
    );
  }
  if (confirm.isError) {
    const invalid =
      confirm.error instanceof ApiError && confirm.error.code === "invalid_verification_token";
    return (
      <>
        <AuthHeading title="This link did not work" />
        {invalid ? (
          <Alert tone="error">
            The confirmation link is not valid any more: it may have expired or been used already.
          </Alert>
        ) : (
          <FormError error={confirm.error} />
        )}
        {state.status === "authenticated" && state.me.email_verified ? (
          <p className="mt-4 text-sm">
            Your email address is already confirmed.{" "}
            <TextLink href="/">Continue to Family Budget</TextLink>
          </p>
        ) : (
          <div className="mt-4">
            <RequestNewLink embedded />
          </div>
        )}
      </>
    );
  }
  return <Spinner label="Confirming your email address" />;
}

function RequestNewLink({ embedded = false }: { embedded?: boolean }) {
  const { state, reloadMe } = useSession();
  const resend = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/auth/verify-email/request", {})),
    onError: (error) => {
      // Confirmed in another tab meanwhile: show the fresh state instead of an error.
      if (error instanceof ApiError && error.code === "email_already_verified") void reloadMe();
    },
  });

  if (state.status === "loading") return <Spinner />;
  if (state.status === "anonymous") {
    return (
      <>
        {embedded ? null : <AuthHeading title="Confirm your email" />}
        <p className="text-sm">Sign in to get a new confirmation link.</p>
        <p className="mt-2 text-sm">
          <TextLink href={withNext("/login", "/verify-email")}>Sign in</TextLink>
        </p>
      </>
    );
  }
  const { me } = state;
  if (me.email_verified) {
    return (
      <>
        {embedded ? null : <AuthHeading title="Email confirmed" />}
        <p className="text-sm">
          Your email address <strong>{me.email}</strong> is confirmed.
        </p>
        <p className="mt-2 text-sm">
          <TextLink href="/">Continue to Family Budget</TextLink>
        </p>
      </>
    );
  }
  return (
    <>
      {embedded ? null : <AuthHeading title="Confirm your email" />}
      <div className="flex flex-col gap-4">
        <p className="text-sm">
          We sent a confirmation link to <strong>{me.email}</strong>. Not there? Check your spam
          folder, or have a new link sent.
        </p>
        {resend.isSuccess ? <Alert tone="success">{resend.data.detail}.</Alert> : null}
        <FormError error={resend.error} />
        <Button onClick={() => resend.mutate()} busy={resend.isPending}>
          Resend verification email
        </Button>
        <TextLink href="/">Back to Family Budget</TextLink>
      </div>
    </>
  );
}
