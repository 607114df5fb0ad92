"use client";

import { useState, type FormEvent } from "react";

import { mergeFieldErrors, serverFieldErrors, type CodeFields } from "@/api/serverErrors";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card, Spinner } from "@/components/ui/Card";
import { SelectField, TextField } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormError";
import { emailError } from "@/features/auth/validation";
import { formatDate } from "@/lib/dates";

import { useCreateInvitation, useInvitations, useRevokeInvitation } from "./api";
import { useHousehold, type Role } from "./HouseholdContext";
import { ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES } from "./roles";

const INVITE_CODE_FIELDS: CodeFields = { already_member: "email", invitation_pending: "email" };

/** Owners invite by email and see, and can revoke, the invitations not yet accepted. */
export function Invitations() {
  return (
    <Card title="Invitations">
      <InviteForm />
      <PendingInvitations />
    </Card>
  );
}

function InviteForm() {
  const household = useHousehold();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("adult");
  const [emailProblem, setEmailProblem] = useState<string | undefined>();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const invite = useCreateInvitation(household.id);
  const errors = mergeFieldErrors(
    { email: emailProblem },
    serverFieldErrors(invite.error, INVITE_CODE_FIELDS),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = emailError(email);
    setEmailProblem(found);
    setSentTo(null);
    if (found) return;
    invite.mutate(
      { email: email.trim(), role },
      {
        onSuccess: (invitation) => {
          setSentTo(invitation.email);
          setEmail("");
        },
      },
    );
  }

  return (
    <form noValidate onSubmit={submit} className="flex flex-col gap-3" aria-label="Invite someone">
      <p className="text-sm text-muted">
        They get an email with a link, valid for 7 days, to join {household.name}.
      </p>
      <FormError error={invite.error} codeFields={INVITE_CODE_FIELDS} />
      {sentTo ? <Alert tone="success">Invitation sent to {sentTo}.</Alert> : null}
      <div className="grid gap-3 sm:grid-cols-[1fr_12rem]">
        <TextField
          label="Email to invite"
          type="email"
          inputMode="email"
          autoComplete="off"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={errors.email}
          required
        />
        <SelectField
          label="Role"
          value={role}
          onChange={(event) => setRole(event.target.value as Role)}
          error={errors.role}
        >
          {ROLES.map((option) => (
            <option key={option} value={option}>
              {ROLE_LABELS[option]}
            </option>
          ))}
        </SelectField>
      </div>
      <p className="text-xs text-muted">{ROLE_DESCRIPTIONS[role]}</p>
      <div>
        <Button type="submit" busy={invite.isPending}>
          Send invitation
        </Button>
      </div>
    </form>
  );
}

function PendingInvitations() {
  const household = useHousehold();
  const invitations = useInvitations(household.id, true);
  const revoke = useRevokeInvitation(household.id);

  return (
    <section aria-labelledby="pending-invitations" className="mt-6">
      <h3 id="pending-invitations" className="mb-2 text-sm font-semibold">
        Pending invitations
      </h3>
      {invitations.isPending ? <Spinner label="Loading invitations" /> : null}
      {invitations.isError ? <FormError error={invitations.error} /> : null}
      {revoke.isError ? (
        <div className="mb-2">
          <FormError error={revoke.error} />
        </div>
      ) : null}
      {invitations.data?.length === 0 ? (
        <p className="text-sm text-muted">No invitations waiting for an answer.</p>
      ) : null}
      {invitations.data?.length ? (
        <ul className="divide-y divide-border rounded-md border border-border">
          {invitations.data.map((invitation) => (
            <li
              key={invitation.id}
              className="flex flex-wrap items-center justify-between gap-2 p-3 text-sm"
            >
              <div className="min-w-0">
                <div className="font-medium wrap-anywhere">{invitation.email}</div>
                <div className="text-muted">
                  {ROLE_LABELS[invitation.role]} · expires {formatDate(invitation.expires_at)}
                </div>
              </div>
              <Button
                variant="secondary"
                aria-label={`Revoke invitation for ${invitation.email}`}
                busy={revoke.isPending && revoke.variables === invitation.id}
                onClick={() => revoke.mutate(invitation.id)}
              >
                Revoke
              </Button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
