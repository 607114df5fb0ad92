import type { Metadata } from "next";

import { LoginForm } from "@/features/auth/LoginForm";
import { searchParam, type SearchParams } from "@/features/auth/searchParams";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: SearchParams }) {
  const notice = await searchParam(searchParams, "notice");
  return (
    <LoginForm
      next={await searchParam(searchParams, "next")}
      notice={notice === "password-reset" ? notice : null}
    />
  );
}
