"use client";

import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card, Spinner } from "@/components/ui/Card";
import { FormError } from "@/components/ui/FormError";

import { useSessions, useSignOutOtherSessions, useSignOutSession } from "./api";

function formatMoment(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** Where the person is signed in, with a way to sign out a lost phone or a shared computer. */
export function SessionsCard() {
  const sessions = useSessions();
  const signOut = useSignOutSession();
  const signOutOthers = useSignOutOtherSessions();
  const others = (sessions.data ?? []).filter((item) => !item.current);
  return (
    <Card title="Signed-in devices">
      <div className="flex flex-col gap-3">
        <FormError error={sessions.error ?? signOut.error ?? signOutOthers.error} />
        {signOutOthers.isSuccess ? (
          <Alert tone="success">
            {signOutOthers.data.signed_out_count === 1
              ? "1 other session signed out."
              : `${signOutOthers.data.signed_out_count} other sessions signed out.`}
          </Alert>
        ) : null}
        {sessions.isPending ? <Spinner label="Loading sessions" /> : null}
        <ul className="flex flex-col divide-y divide-border" aria-label="Sessions">
          {(sessions.data ?? []).map((item) => (
            <li key={item.id} className="flex items-center justify-between gap-3 py-2">
              <div className="min-w-0">
                <p className="truncate font-medium" title={item.device_label}>
                  {item.device_label}
                  {item.current ? (
                    <span className="ml-2 text-sm font-normal text-muted">(this device)</span>
                  ) : null}
                </p>
                <p className="text-sm text-muted">
                  Signed in {formatMoment(item.created_at)} · last active{" "}
                  {formatMoment(item.last_seen_at)}
                </p>
              </div>
              {item.current ? null : (
                <Button
                  variant="secondary"
                  size="sm"
                  busy={signOut.isPending && signOut.variables === item.id}
                  onClick={() => signOut.mutate(item.id)}
                  aria-label={`Sign out ${item.device_label}, last active ${formatMoment(item.last_seen_at)}`}
                >
                  Sign out
                </Button>
              )}
            </li>
          ))}
        </ul>
        {others.length > 1 ? (
          <div>
            <Button
              variant="danger"
              busy={signOutOthers.isPending}
              onClick={() => signOutOthers.mutate()}
            >
              Sign out all other devices
            </Button>
          </div>
        ) : null}
      </div>
    </Card>
  );
}
