"use client";

import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useMemo, type ReactNode } from "react";

import type { components } from "@/api/schema";
import type { Currency } from "@/lib/money";

export type Role = components["schemas"]["Role"];

export interface CurrentHousehold {
  id: string;
  name: string;
  role: Role;
  currency: Currency;
  /** Owners and adults manage money; teens see and record what is shared with them. */
  isAdult: boolean;
  isOwner: boolean;
}

const HouseholdContext = createContext<CurrentHousehold | null>(null);

export function HouseholdProvider({
  membership,
  children,
}: {
  membership: components["schemas"]["MembershipRead"];
  children: ReactNode;
}) {
  const value = useMemo<CurrentHousehold>(
    () => ({
      id: membership.household_id,
      name: membership.household_name,
      role: membership.role,
      currency: { code: membership.currency, exponent: membership.currency_exponent },
      isAdult: membership.role !== "teen",
      isOwner: membership.role === "owner",
    }),
    [membership],
  );
  return <HouseholdContext.Provider value={value}>{children}</HouseholdContext.Provider>;
}

/** The household of the current /h/[householdId] page, with the caller's role in it. */
export function useHousehold(): CurrentHousehold {
  const value = useContext(HouseholdContext);
  if (!value) throw new Error("useHousehold outside a household page");
  return value;
}

const LAST_HOUSEHOLD_KEY = "fb-last-household";

export function rememberHousehold(id: string): void {
  try {
    localStorage.setItem(LAST_HOUSEHOLD_KEY, id);
  } catch {
    // Private browsing without storage: the first household is opened instead next time.
  }
}

export function lastHousehold(): string | null {
  try {
    return localStorage.getItem(LAST_HOUSEHOLD_KEY);
  } catch {
    return null;
  }
}

/**
 * Query keys of one household's data start with this, so switching or leaving can drop them all.
 */
export function householdKey(householdId: string, ...rest: unknown[]): unknown[] {
  return ["households", householdId, ...rest];
}

/**
 * Refetches all of one household's data: for changes other pages depend on (balances feed net
 * worth, category names show in transactions and the budget).
 */
export function useInvalidateHousehold(householdId: string): () => Promise<void> {
  const queryClient = useQueryClient();
  return useCallback(
    () => queryClient.invalidateQueries({ queryKey: householdKey(householdId) }),
    [queryClient, householdId],
  );
}
