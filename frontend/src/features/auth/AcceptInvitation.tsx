"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";

import { api, unwrap } from "@/api/client";
import { ApiError } from "@/api/problem";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Spinner } from "@/components/ui/Card";
import { FormError } from "@/components/ui/FormError";
import { rememberHousehold } from "@/features/households/HouseholdContext";
import { useSession } from "@/features/session/SessionProvider";

import { AuthHeading, LinkButton } from "./AuthFrame";
import { ACCEPT_INVITATION_PATH, withNext } from "./links";
import { useSendOnce } from "./useSendOnce";

/**
 * Joins the household of an emailed invitation: straight away when signed in,
 * after signing in otherwise.
 */
export function AcceptInvitation({ token }: { token: string | null }) {
  const { state } = useSession();
  if (!token) {
    return (
      <>
        <AuthHeading title="Join a household" />
        <Alert tone="error">
          This page needs the link from the invitation email. Open that link again, or ask the
          person who invited you to send a new invitation.
        </Alert>
      </>
    );
  }
  if (state.status === "loading") return <Spinner />;
  if (state.status === "anonymous") {
    const here = `${ACCEPT_INVITATION_PATH}?token=${encodeURIComponent(token)}`;
    return (
      <>
        <AuthHeading title="You are invited">
          Someone invited you to share their household&apos;s budget on Family Budget.
        </AuthHeading>
        <p className="text-sm">
          Sign in, or create an account, with the email address the invitation was sent to. You will
          join the household right after.
        </p>
        <div className="mt-5 flex flex-col gap-2 sm:flex-row">
          <LinkButton href={withNext("/login", here)}>Sign in to accept</LinkButton>
          <LinkButton href={withNext("/signup", here)} secondary>
            Create an account
          </LinkButton>
        </div>
      </>
    );
  }
  return <Accept token={token} email={state.me.email} />;
}

function Accept({ token, email }: { token: string; email: string }) {
  const router = useRouter();
  const { reloadMe, logout } = useSession();
  const accept = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/invitations/accept", { body: { token } })),
    onSuccess: async (household) => {
      rememberHousehold(household.id);
      await reloadMe();
      router.replace(`/h/${household.id}/dashboard`);
    },
  });
  const { mutate } = accept;
  useSendOnce(mutate);

  if (!accept.isError)
    return <Spinner label={accept.isSuccess ? "Opening the household" : "Joining the household"} />;

  const code = accept.error instanceof ApiError ? accept.error.code : null;
  const here = `${ACCEPT_INVITATION_PATH}?token=${encodeURIComponent(token)}`;
  return (
    <>
      <AuthHeading title="Could not join the household" />
      {code === "invitation_not_found" ? (
        <Alert tone="error">
          <p>
            This invitation cannot be used. Either it has expired (invitations last 7 days), it was
            revoked or already used, or it was sent to another email address than yours.
          </p>
          <p className="mt-2">
            You are signed in as <strong>{email}</strong>.
          </p>
        </Alert>
      ) : code === "already_member" ? (
        <Alert tone="info">You are already a member of this household.</Alert>
      ) : (
        <FormError error={accept.error} />
      )}
      <div className="mt-5 flex flex-col gap-2 sm:flex-row">
        {code === "invitation_not_found" ? (
          <Button
            variant="secondary"
            onClick={async () => {
              await logout();
              router.replace(withNext("/login", here));
            }}
          >
            Sign in with another address
          </Button>
        ) : code !== "already_member" ? (
          <Button variant="secondary" busy={accept.isPending} onClick={() => accept.mutate()}>
            Try again
          </Button>
        ) : null}
        <LinkButton href="/">Go to your households</LinkButton>
      </div>
    </>
  );
}
