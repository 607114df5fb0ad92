"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";

import { api, unwrap } from "@/api/client";
import type { components } from "@/api/schema";
import { useSession } from "@/features/session/SessionProvider";

import { householdKey, lastHousehold, type Role } from "./HouseholdContext";

export type Member = components["schemas"]["MemberRead"];
export type Invitation = components["schemas"]["InvitationRead"];
export type HouseholdUpdate = components["schemas"]["HouseholdUpdate"];

export function membersKey(householdId: string): unknown[] {
  return householdKey(householdId, "members");
}

export function invitationsKey(householdId: string): unknown[] {
  return householdKey(householdId, "invitations");
}

const path = (householdId: string) => ({ params: { path: { household_id: householdId } } });

/** Everyone in the household with their role (any member may read it). */
export function useMembers(householdId: string) {
  return useQuery({
    queryKey: membersKey(householdId),
    queryFn: () => unwrap(api.GET("/api/v1/households/{household_id}/members", path(householdId))),
  });
}

/** Pending invitations; only owners may list them, so others never ask. */
export function useInvitations(householdId: string, enabled: boolean) {
  return useQuery({
    queryKey: invitationsKey(householdId),
    queryFn: () =>
      unwrap(api.GET("/api/v1/households/{household_id}/invitations", path(householdId))),
    enabled,
  });
}

export function useCreateHousehold() {
  const { reloadMe } = useSession();
  return useMutation({
    mutationFn: (body: components["schemas"]["HouseholdCreate"]) =>
      unwrap(api.POST("/api/v1/households", { body })),
    // The household switcher and the membership check read /me: it must know the new one first.
    onSuccess: async () => {
      await reloadMe();
    },
  });
}

/** Rename or change the currency; the name and currency shown everywhere come from /me. */
export function useUpdateHousehold(householdId: string) {
  const queryClient = useQueryClient();
  const { reloadMe } = useSession();
  return useMutation({
    mutationFn: (body: HouseholdUpdate) =>
      unwrap(api.PATCH("/api/v1/households/{household_id}", { ...path(householdId), body })),
    onSuccess: async () => {
      await reloadMe();
      await queryClient.invalidateQueries({ queryKey: householdKey(householdId) });
    },
  });
}

export function useChangeMemberRole(householdId: string) {
  const queryClient = useQueryClient();
  const { state, reloadMe } = useSession();
  const myId = state.status === "authenticated" ? state.me.id : null;
  return useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) =>
      unwrap(
        api.PATCH("/api/v1/households/{household_id}/members/{user_id}", {
          params: { path: { household_id: householdId, user_id: userId } },
          body: { role },
        }),
      ),
    onSuccess: async (member) => {
      // Stepping down changes what this person may do here: every view must re-check the role.
      if (member.user_id === myId) await reloadMe();
      await queryClient.invalidateQueries({
        queryKey: member.user_id === myId ? householdKey(householdId) : membersKey(householdId),
      });
    },
  });
}

export function useRemoveMember(householdId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) =>
      unwrap(
        api.DELETE("/api/v1/households/{household_id}/members/{user_id}", {
          params: { path: { household_id: householdId, user_id: userId } },
        }),
      ),
    // Their account shares go with them, so the accounts view changes too.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: householdKey(householdId) }),
  });
}

/**
 * Leaving and deleting end this person's access. The next household (or "create one") is worked
 * out from a fresh /me and opened first; only once that page is showing are the old household's
 * cached data dropped and the session's /me replaced — done the other way round, the page still
 * on screen would flash "Household not found" while the navigation runs. This lives in the hook,
 * not the page, because the page unmounts during it.
 */
function useEndMembership(householdId: string, request: () => Promise<unknown>) {
  const queryClient = useQueryClient();
  const { reloadMe } = useSession();
  const router = useRouter();
  return useMutation({
    mutationFn: request,
    onSuccess: async () => {
      await queryClient.cancelQueries({ queryKey: householdKey(householdId) });
      const fresh = await unwrap(api.GET("/api/v1/me")).catch(() => null);
      const remaining = fresh?.households.map((item) => item.household_id) ?? [];
      const remembered = lastHousehold();
      const next = remembered && remaining.includes(remembered) ? remembered : remaining[0];
      const target = next ? `/h/${next}/dashboard` : "/households/new";
      router.replace(target);
      await pathnameBecomes(target);
      queryClient.removeQueries({ queryKey: householdKey(householdId) });
      await reloadMe();
    },
  });
}

async function pathnameBecomes(pathname: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (window.location.pathname !== pathname && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function useLeaveHousehold(householdId: string, myUserId: string) {
  return useEndMembership(householdId, () =>
    unwrap(
      api.DELETE("/api/v1/households/{household_id}/members/{user_id}", {
        params: { path: { household_id: householdId, user_id: myUserId } },
      }),
    ),
  );
}

export function useDeleteHousehold(householdId: string) {
  return useEndMembership(householdId, () =>
    unwrap(api.DELETE("/api/v1/households/{household_id}", path(householdId))),
  );
}

export function useCreateInvitation(householdId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: components["schemas"]["InvitationCreate"]) =>
      unwrap(
        api.POST("/api/v1/households/{household_id}/invitations", { ...path(householdId), body }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: invitationsKey(householdId) }),
  });
}

export function useRevokeInvitation(householdId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (invitationId: string) =>
      unwrap(
        api.DELETE("/api/v1/households/{household_id}/invitations/{invitation_id}", {
          params: { path: { household_id: householdId, invitation_id: invitationId } },
        }),
      ),
    // A revoked (or meanwhile expired/accepted) invitation is gone either way: refresh the list.
    onSettled: () => queryClient.invalidateQueries({ queryKey: invitationsKey(householdId) }),
  });
}
