import type { Metadata } from "next";

import { RegisterPage } from "@/features/accounts/register/RegisterPage";

export const metadata: Metadata = { title: "Account register" };

export default async function AccountRegister({
  params,
}: {
  params: Promise<{ accountId: string }>;
}) {
  const { accountId } = await params;
  return <RegisterPage accountId={accountId} />;
}
