import type { Metadata } from "next";

import { MembersPage } from "@/features/households/MembersPage";

export const metadata: Metadata = { title: "Household" };

export default function HouseholdMembersPage() {
  return <MembersPage />;
}
