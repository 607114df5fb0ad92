"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";

import { useSession } from "@/features/session/SessionProvider";

/**
 * Sends a signed-in visitor on to `target`: someone who opens /login while signed in, and the
 * person who just signed in here. A form may name a more precise destination just before it
 * signs in (the household it just created).
 */
export function useSignedInRedirect(target: string) {
  const { state } = useSession();
  const router = useRouter();
  const destination = useRef<string | null>(null);
  useEffect(() => {
    if (state.status === "authenticated") router.replace(destination.current ?? target);
  }, [state.status, router, target]);
  return {
    status: state.status,
    setDestination: (path: string) => {
      destination.current = path;
    },
  };
}
