"use client";

import { useState } from "react";

import { Button } from "@/components/ui/Button";
import { Card, Spinner } from "@/components/ui/Card";
import { Dialog, DialogActions } from "@/components/ui/Dialog";
import { FormError } from "@/components/ui/FormError";
import { useMe } from "@/features/session/SessionProvider";
import { formatDate } from "@/lib/dates";

import { useChangeMemberRole, useMembers, useRemoveMember, type Member } from "./api";
import { useHousehold, type Role } from "./HouseholdContext";
import { ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES } from "./roles";

type Confirmation =
  { kind: "remove"; member: Member } | { kind: "own-role"; member: Member; role: Role };

/** The members with their roles; owners change roles and remove members here. */
export function MemberList() {
  const household = useHousehold();
  const me = useMe();
  const members = useMembers(household.id);
  const changeRole = useChangeMemberRole(household.id);
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);

  function chooseRole(member: Member, role: Role) {
    if (role === member.role) return;
    // Stepping down takes this person's owner controls away at once: ask first.
    if (member.user_id === me.id) setConfirmation({ kind: "own-role", member, role });
    else changeRole.mutate({ userId: member.user_id, role });
  }

  return (
    <Card title="Members">
      {members.isPending ? <Spinner label="Loading members" /> : null}
      {members.isError ? <FormError error={members.error} /> : null}
      {changeRole.isError ? (
        <div className="mb-3">
          <FormError error={changeRole.error} />
        </div>
      ) : null}
      {members.data ? (
        <table className="block w-full text-sm sm:table">
          <caption className="sr-only">Members of {household.name}</caption>
          <thead className="hidden sm:table-header-group">
            <tr className="border-b border-border text-left text-muted">
              <th scope="col" className="py-2 pr-3 font-medium">
                Name
              </th>
              <th scope="col" className="py-2 pr-3 font-medium">
                Role
              </th>
              <th scope="col" className="py-2 pr-3 font-medium">
                Joined
              </th>
              {household.isOwner ? (
                <th scope="col" className="py-2 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody className="flex flex-col gap-2 sm:table-row-group">
            {members.data.map((member) => {
              const isMe = member.user_id === me.id;
              const rowBusy =
                changeRole.isPending && changeRole.variables?.userId === member.user_id;
              return (
                <tr
                  key={member.user_id}
                  className="grid grid-cols-[1fr_auto] gap-x-3 gap-y-1 rounded-md border border-border p-3 sm:table-row sm:rounded-none sm:border-0 sm:border-b sm:p-0"
                >
                  <td className="col-span-2 min-w-0 sm:py-2 sm:pr-3">
                    <div className="font-medium wrap-anywhere">
                      {member.name}
                      {isMe ? <span className="text-muted"> (you)</span> : null}
                    </div>
                    <div className="text-muted wrap-anywhere">{member.email}</div>
                  </td>
                  <td className="self-center sm:py-2 sm:pr-3">
                    {household.isOwner ? (
                      <>
                        <label htmlFor={`role-${member.user_id}`} className="sr-only">
                          Role of {member.name}
                        </label>
                        <select
                          id={`role-${member.user_id}`}
                          className="min-h-11 rounded-md border border-border bg-card px-2 text-sm disabled:opacity-60"
                          value={member.role}
                          disabled={rowBusy}
                          aria-busy={rowBusy || undefined}
                          onChange={(event) => chooseRole(member, event.target.value as Role)}
                        >
                          {ROLES.map((role) => (
                            <option key={role} value={role}>
                              {ROLE_LABELS[role]}
                            </option>
                          ))}
                        </select>
                      </>
                    ) : (
                      <span title={ROLE_DESCRIPTIONS[member.role]}>{ROLE_LABELS[member.role]}</span>
                    )}
                  </td>
                  <td className="self-center text-right text-muted sm:py-2 sm:pr-3 sm:text-left">
                    <span className="sm:hidden">Joined </span>
                    {formatDate(member.joined_at)}
                  </td>
                  {household.isOwner ? (
                    <td className="col-span-2 sm:py-2 sm:text-right">
                      {isMe ? null : (
                        <Button
                          variant="secondary"
                          aria-label={`Remove ${member.name}`}
                          onClick={() => setConfirmation({ kind: "remove", member })}
                          className="w-full sm:w-auto"
                        >
                          Remove
                        </Button>
                      )}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {household.isOwner ? <RoleLegend /> : null}
      {confirmation?.kind === "remove" ? (
        <RemoveMemberDialog member={confirmation.member} onClose={() => setConfirmation(null)} />
      ) : null}
      {confirmation?.kind === "own-role" ? (
        <Dialog
          open
          onOpenChange={(open) => !open && setConfirmation(null)}
          title="Change your own role?"
        >
          <p className="text-sm">
            You will become {ROLE_LABELS[confirmation.role].toLowerCase()} in {household.name} and
            lose the owner controls (members, invitations, settings). Another owner can give them
            back.
          </p>
          <div className="mt-5 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
            <Button variant="secondary" onClick={() => setConfirmation(null)}>
              Cancel
            </Button>
            <Button
              onClick={() => {
                changeRole.mutate({ userId: confirmation.member.user_id, role: confirmation.role });
                setConfirmation(null);
              }}
            >
              Become {ROLE_LABELS[confirmation.role].toLowerCase()}
            </Button>
          </div>
        </Dialog>
      ) : null}
    </Card>
  );
}

function RoleLegend() {
  return (
    <dl className="mt-4 grid gap-1 text-xs text-muted sm:grid-cols-[auto_1fr] sm:gap-x-3">
      {ROLES.map((role) => (
        <div key={role} className="contents">
          <dt className="font-semibold">{ROLE_LABELS[role]}</dt>
          <dd className="mb-1 sm:mb-0">{ROLE_DESCRIPTIONS[role]}</dd>
        </div>
      ))}
    </dl>
  );
}

function RemoveMemberDialog({ member, onClose }: { member: Member; onClose: () => void }) {
  const household = useHousehold();
  const remove = useRemoveMember(household.id);
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()} title={`Remove ${member.name}?`}>
      <div className="flex flex-col gap-4 text-sm">
        <p>
          {member.name} ({member.email}) will lose access to {household.name} right away, including
          the accounts shared with them. To bring them back, send a new invitation.
        </p>
        <FormError error={remove.error} />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button
            variant="danger"
            busy={remove.isPending}
            onClick={() => remove.mutate(member.user_id, { onSuccess: onClose })}
          >
            Remove {member.name}
          </Button>
        </DialogActions>
      </div>
    </Dialog>
  );
}
