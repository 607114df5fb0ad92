import type { Metadata } from "next";

import { ResetPasswordForm } from "@/features/auth/ResetPasswordForm";
import { searchParam, type SearchParams } from "@/features/auth/searchParams";

export const metadata: Metadata = { title: "Choose a new password" };

export default async function ResetPasswordPage({ searchParams }: { searchParams: SearchParams }) {
  return <ResetPasswordForm token={await searchParam(searchParams, "token")} />;
}
