import type { Metadata } from "next";

import { AcceptInvitation } from "@/features/auth/AcceptInvitation";
import { searchParam, type SearchParams } from "@/features/auth/searchParams";

export const metadata: Metadata = { title: "Join a household" };

export default async function AcceptInvitationPage({
  searchParams,
}: {
  searchParams: SearchParams;
}) {
  return <AcceptInvitation token={await searchParam(searchParams, "token")} />;
}
