"use client";

import { useQueryClient } from "@tanstack/react-query";
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from "react";

import { api, unwrap } from "@/api/client";
import type { components } from "@/api/schema";
import {
  clearAccessToken,
  onSessionChange,
  refreshAccessToken,
  setAccessToken,
} from "@/api/session";

export type Me = components["schemas"]["MeRead"];
export type TwoFactorSignIn = components["schemas"]["TwoFactorSignIn"];

/** The password was right and the account has two-step sign-in: finish with `completeTwoFactor`
 * and this challenge. */
export class TwoFactorRequired extends Error {
  readonly challengeToken: string;

  constructor(challengeToken: string) {
    super("Enter the code from your authenticator app to finish signing in");
    this.name = "TwoFactorRequired";
    this.challengeToken = challengeToken;
  }
}

type SessionState =
  | { status: "loading"; me: null }
  /** `signedOut`: the person just signed out here (not an expired or missing session). */
  | { status: "anonymous"; me: null; signedOut?: boolean }
  | { status: "authenticated"; me: Me };

interface SessionContextValue {
  state: SessionState;
  /** Throws TwoFactorRequired when the account asks for a second step. */
  login: (email: string, password: string) => Promise<Me>;
  completeTwoFactor: (body: TwoFactorSignIn) => Promise<Me>;
  logout: () => Promise<void>;
  /** Re-read the signed-in user (after joining or creating a household, verifying email…). */
  reloadMe: () => Promise<Me | null>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

async function fetchMe(): Promise<Me> {
  return unwrap(api.GET("/api/v1/me"));
}

/** The signed-in user behind the refresh cookie, or null when there is no valid session. */
async function restoreSession(): Promise<Me | null> {
  const token = await refreshAccessToken();
  return token ? fetchMe() : null;
}

let pageLoadRestore: Promise<Me | null> | null = null;

// Started when this module is evaluated in the browser, before React hydrates: the refresh and
// `me` are on the wire while the page's JavaScript still runs, and the page's own queries (which
// wait for the same refresh, see api/session.ts) go out beside `me` instead of after it.
if (typeof window !== "undefined") {
  pageLoadRestore = restoreSession();
  pageLoadRestore.catch(() => null);
}

/** The restore started at page load, handed out once; later mounts restore afresh. */
function takePageLoadRestore(): Promise<Me | null> {
  const started = pageLoadRestore ?? restoreSession();
  pageLoadRestore = null;
  return started;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<SessionState>({ status: "loading", me: null });

  const reloadMe = useCallback(async () => {
    try {
      const me = await fetchMe();
      setState({ status: "authenticated", me });
      return me;
    } catch {
      setState({ status: "anonymous", me: null });
      return null;
    }
  }, []);

  // On first load, a valid refresh cookie silently restores the session.
  useEffect(() => {
    let cancelled = false;
    takePageLoadRestore()
      .then((me) => {
        if (cancelled) return;
        setState(me ? { status: "authenticated", me } : { status: "anonymous", me: null });
      })
      .catch(() => {
        if (!cancelled) setState({ status: "anonymous", me: null });
      });
    return () => {
      cancelled = true;
    };
  }, []);

  // A refused refresh (session revoked elsewhere, expired) signs this tab out.
  useEffect(
    () =>
      onSessionChange((signedIn) => {
        if (!signedIn) {
          queryClient.clear();
          setState({ status: "anonymous", me: null });
        }
      }),
    [queryClient],
  );

  const signedIn = useCallback(async (tokens: { access_token: string; expires_in: number }) => {
    setAccessToken(tokens.access_token, tokens.expires_in);
    const me = await fetchMe();
    setState({ status: "authenticated", me });
    return me;
  }, []);

  const login = useCallback(
    async (email: string, password: string) => {
      const call = api.POST("/api/v1/auth/login", { body: { email, password } });
      const { error, response } = await call;
      const problem = error as { code?: string; challenge_token?: string } | undefined;
      if (
        response.status === 401 &&
        problem?.code === "two_factor_required" &&
        problem.challenge_token
      )
        throw new TwoFactorRequired(problem.challenge_token);
      return signedIn(await unwrap(call));
    },
    [signedIn],
  );

  const completeTwoFactor = useCallback(
    async (body: TwoFactorSignIn) =>
      signedIn(await unwrap(api.POST("/api/v1/auth/login/two-factor", { body }))),
    [signedIn],
  );

  const logout = useCallback(async () => {
    try {
      await api.POST("/api/v1/auth/logout", {});
    } finally {
      clearAccessToken();
      queryClient.clear();
      setState({ status: "anonymous", me: null, signedOut: true });
    }
  }, [queryClient]);

  const value = useMemo(
    () => ({ state, login, completeTwoFactor, logout, reloadMe }),
    [state, login, completeTwoFactor, logout, reloadMe],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}

/** The signed-in user; only for components rendered inside the signed-in shell. */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== "authenticated") throw new Error("useMe needs a signed-in user");
  return state.me;
}
