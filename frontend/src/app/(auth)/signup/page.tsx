import type { Metadata } from "next";

import { searchParam, type SearchParams } from "@/features/auth/searchParams";
import { SignupForm } from "@/features/auth/SignupForm";

export const metadata: Metadata = { title: "Create an account" };

export default async function SignupPage({ searchParams }: { searchParams: SearchParams }) {
  return <SignupForm next={await searchParam(searchParams, "next")} />;
}
