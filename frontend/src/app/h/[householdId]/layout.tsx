import type { ReactNode } from "react";

import { HouseholdGate } from "@/features/households/HouseholdGate";

export default async function HouseholdLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ householdId: string }>;
}) {
  const { householdId } = await params;
  return <HouseholdGate householdId={householdId}>{children}</HouseholdGate>;
}
