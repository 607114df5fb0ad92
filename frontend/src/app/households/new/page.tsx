import type { Metadata } from "next";

import { AuthFrame } from "@/features/auth/AuthFrame";
import { NewHouseholdForm } from "@/features/households/NewHouseholdForm";
import { RequireSession } from "@/features/session/RequireSession";

export const metadata: Metadata = { title: "New household" };

export default function NewHouseholdPage() {
  return (
    <AuthFrame>
      <RequireSession>
        <NewHouseholdForm />
      </RequireSession>
    </AuthFrame>
  );
}
