"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

import { Spinner } from "@/components/ui/Card";
import { lastHousehold } from "@/features/households/HouseholdContext";
import { useSession } from "@/features/session/SessionProvider";

/** Opens the household used last (or the first one); asks to sign in or create one otherwise. */
export default function Home() {
  const { state } = useSession();
  const router = useRouter();
  useEffect(() => {
    if (state.status === "anonymous") router.replace("/login");
    if (state.status === "authenticated") {
      const households = state.me.households.map((item) => item.household_id);
      const remembered = lastHousehold();
      const target = remembered && households.includes(remembered) ? remembered : households[0];
      router.replace(target ? `/h/${target}/dashboard` : "/households/new");
    }
  }, [state, router]);
  return <Spinner />;
}
