import type { Metadata } from "next";

import { searchParam, type SearchParams } from "@/features/auth/searchParams";
import { VerifyEmail } from "@/features/auth/VerifyEmail";

export const metadata: Metadata = { title: "Confirm your email" };

export default async function VerifyEmailPage({ searchParams }: { searchParams: SearchParams }) {
  return <VerifyEmail token={await searchParam(searchParams, "token")} />;
}
