"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import { setAccessToken } from "@/api/session";
import { useSession } from "@/features/session/SessionProvider";

export function useUpdateName() {
  const { reloadMe } = useSession();
  return useMutation({
    mutationFn: (name: string) => unwrap(api.PATCH("/api/v1/me", { body: { name } })),
    onSuccess: () => reloadMe(),
  });
}

export function useChangeEmail() {
  const { reloadMe } = useSession();
  return useMutation({
    mutationFn: (body: { new_email: string; current_password: string }) =>
      unwrap(api.POST("/api/v1/me/email", { body })),
    onSuccess: () => reloadMe(),
  });
}

/** A password change ends every session: the answer carries this tab's new one. */
export function useChangePassword() {
  return useMutation({
    mutationFn: async (body: { current_password: string; new_password: string }) => {
      const tokens = await unwrap(api.POST("/api/v1/me/password", { body }));
      setAccessToken(tokens.access_token, tokens.expires_in);
      return tokens;
    },
  });
}

const SESSIONS_KEY = ["me", "sessions"];

/** The caller's signed-in sessions, most recently used first (the current one is marked). */
export function useSessions() {
  return useQuery({
    queryKey: SESSIONS_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/me/sessions")),
  });
}

/** Sign one session out: its tokens stop working at once. */
export function useSignOutSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (sessionId: string) =>
      unwrap(
        api.DELETE("/api/v1/me/sessions/{session_id}", {
          params: { path: { session_id: sessionId } },
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: SESSIONS_KEY }),
  });
}

export function useSignOutOtherSessions() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/me/sessions/sign-out-others")),
    onSettled: () => queryClient.invalidateQueries({ queryKey: SESSIONS_KEY }),
  });
}

const TWO_FACTOR_KEY = ["me", "two-factor"];

export function useTwoFactorStatus() {
  return useQuery({
    queryKey: TWO_FACTOR_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/me/two-factor")),
  });
}

export function useStartTwoFactorSetup() {
  return useMutation({
    mutationFn: (currentPassword: string) =>
      unwrap(
        api.POST("/api/v1/me/two-factor/setup", { body: { current_password: currentPassword } }),
      ),
  });
}

export function useEnableTwoFactor() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (code: string) =>
      unwrap(api.POST("/api/v1/me/two-factor/enable", { body: { code } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: TWO_FACTOR_KEY }),
  });
}

export function useDisableTwoFactor() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (currentPassword: string) =>
      unwrap(
        api.POST("/api/v1/me/two-factor/disable", { body: { current_password: currentPassword } }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: TWO_FACTOR_KEY }),
  });
}

export function useNewRecoveryCodes() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (currentPassword: string) =>
      unwrap(
        api.POST("/api/v1/me/two-factor/recovery-codes", {
          body: { current_password: currentPassword },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: TWO_FACTOR_KEY }),
  });
}
