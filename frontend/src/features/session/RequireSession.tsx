"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect, type ReactNode } from "react";

import { Spinner } from "@/components/ui/Card";

import { useSession } from "./SessionProvider";

/** Renders its children for a signed-in user; sends anyone else to log in and back here after. */
export function RequireSession({ children }: { children: ReactNode }) {
  const { state } = useSession();
  const router = useRouter();
  const pathname = usePathname();

  useEffect(() => {
    if (state.status !== "anonymous") return;
    // After "Sign out" the next person to sign in starts fresh, not on the page left behind.
    if (state.signedOut) {
      router.replace("/login");
      return;
    }
    const next = `${pathname}${window.location.search}`;
    router.replace(`/login?next=${encodeURIComponent(next)}`);
  }, [state, pathname, router]);

  if (state.status !== "authenticated")
    return <Spinner label={state.status === "loading" ? "Loading" : "Redirecting to sign in"} />;
  return <>{children}</>;
}

/** Only same-site paths are followed after login, never another origin. */
export function safeNextPath(next: string | null): string | null {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\"))
    return null;
  return next;
}
