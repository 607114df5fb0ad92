"use client";

import Link from "next/link";
import { useEffect, type ReactNode } from "react";

import { AppShell } from "@/components/shell/AppShell";
import { EmptyState } from "@/components/ui/Card";
import { RequireSession } from "@/features/session/RequireSession";
import { useMe } from "@/features/session/SessionProvider";

import { HouseholdProvider, rememberHousehold } from "./HouseholdContext";

/** Signed in, and a member of this household: otherwise the same "not found" a stranger gets. */
export function HouseholdGate({
  householdId,
  children,
}: {
  householdId: string;
  children: ReactNode;
}) {
  return (
    <RequireSession>
      <Membership householdId={householdId}>{children}</Membership>
    </RequireSession>
  );
}

function Membership({ householdId, children }: { householdId: string; children: ReactNode }) {
  const me = useMe();
  const membership = me.households.find((item) => item.household_id === householdId);
  useEffect(() => {
    if (membership) rememberHousehold(householdId);
  }, [membership, householdId]);

  if (!membership) {
    return (
      <main className="mx-auto max-w-lg p-6">
        <EmptyState title="Household not found">
          It does not exist or you are not a member.{" "}
          <Link href="/" className="underline">
            Go to your households
          </Link>
        </EmptyState>
      </main>
    );
  }
  return (
    <HouseholdProvider membership={membership}>
      <AppShell>{children}</AppShell>
    </HouseholdProvider>
  );
}
