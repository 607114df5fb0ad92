"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

import { Spinner } from "@/components/ui/Card";
import { lastHousehold } from "@/features/households/HouseholdContext";
import { useSession } from "@/features/session/SessionProvider";

/** The address security emails link to: the profile inside the household used last. */
export default function ProfileRedirect() {
  const { state } = useSession();
  const router = useRouter();
  useEffect(() => {
    if (state.status === "anonymous") router.replace("/login");
    if (state.status === "authenticated") {
      const households = state.me.households.map((item) => item.household_id);
      const remembered = lastHousehold();
      const target = remembered && households.includes(remembered) ? remembered : households[0];
      router.replace(target ? `/h/${target}/profile` : "/households/new");
    }
  }, [state, router]);
  return <Spinner />;
}
