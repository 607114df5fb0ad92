"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useRef, type ReactNode } from "react";

import { AppShell } from "@/components/shell/AppShell";
import { EmptyState } from "@/components/ui/Card";
import { RequireSession } from "@/features/session/RequireSession";
import { useMe, useSession } from "@/features/session/SessionProvider";

import { HouseholdProvider, rememberHousehold } from "./HouseholdContext";
import { prefetchHouseholdPage } from "./prefetch";

/** Signed in, and a member of this household: otherwise the same "not found" a stranger gets. */
export function HouseholdGate({
  householdId,
  children,
}: {
  householdId: string;
  children: ReactNode;
}) {
  usePrefetchWhileRestoring(householdId);
  return (
    <RequireSession>
      <Membership householdId={householdId}>{children}</Membership>
    </RequireSession>
  );
}

/** On a page load, the page's data is asked for while the session is still being restored. */
function usePrefetchWhileRestoring(householdId: string) {
  const queryClient = useQueryClient();
  const { state } = useSession();
  const pathname = usePathname();
  const restoring = state.status === "loading";
  const done = useRef(false);
  useEffect(() => {
    if (!restoring || done.current) return;
    done.current = true;
    const section = pathname.split("/")[3] ?? "";
    prefetchHouseholdPage(
      queryClient,
      householdId,
      section,
      new URLSearchParams(window.location.search),
    );
  }, [restoring, queryClient, householdId, pathname]);
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
