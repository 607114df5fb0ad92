"use client";

import { useRouter } from "next/navigation";

import { cn } from "@/components/ui/cn";
import { useSession } from "@/features/session/SessionProvider";

export function SignOutButton({ className }: { className?: string }) {
  const { logout } = useSession();
  const router = useRouter();
  return (
    <button
      type="button"
      className={cn("min-h-11 rounded-md px-3 text-sm hover:bg-bg", className)}
      onClick={async () => {
        await logout();
        router.replace("/login");
      }}
    >
      Sign out
    </button>
  );
}
