"use client";

import { useCallback, useRef, useState } from "react";

import {
  useCreateBankConnection,
  useCreateLinkToken,
  useSyncBankConnection,
  type BankConnection,
} from "./api";
import { awaitDemoLink } from "./link";

/** Connect a new bank, or repair one (update mode: the family signs in again). */
export type LinkFlow = { kind: "connect" } | { kind: "fix"; connectionId: string };

export class PopupBlockedError extends Error {
  constructor() {
    super("Your browser blocked the bank's window. Allow pop-ups for this site and try again.");
  }
}

export interface BankLink {
  start: (flow: LinkFlow) => void;
  cancel: () => void;
  /** The flow under way (a token being made, a bank window open, the result being saved). */
  active: LinkFlow | null;
  /** A demo bank window is open and we wait for it. */
  waitingForBank: boolean;
  /** With real Plaid keys: the token PlaidLinkLauncher opens Link with. */
  plaidToken: string | null;
  onPlaidSuccess: (publicToken: string | null) => void;
  onPlaidExit: () => void;
  error: unknown;
  connected: BankConnection | null;
}

/**
 * The steps of Link: a link token from the API, then Plaid Link (real keys) or the demo bank's
 * page in a popup, then the public token back to the API (a new connection) or, after update
 * mode, a sync (the repaired connection catches up).
 */
export function useBankLink(householdId: string): BankLink {
  const linkToken = useCreateLinkToken(householdId);
  const create = useCreateBankConnection(householdId);
  const sync = useSyncBankConnection(householdId);
  const [active, setActive] = useState<LinkFlow | null>(null);
  const [waitingForBank, setWaitingForBank] = useState(false);
  const [plaidToken, setPlaidToken] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [connected, setConnected] = useState<BankConnection | null>(null);
  const abort = useRef<AbortController | null>(null);
  const flowRef = useRef<LinkFlow | null>(null);

  /** After Link: `linked` false when the person left without finishing. */
  const finish = useCallback(
    async (linked: boolean, publicToken: string | null) => {
      const flow = flowRef.current;
      setPlaidToken(null);
      setWaitingForBank(false);
      try {
        if (flow && linked) {
          if (flow.kind === "fix") await sync.mutateAsync(flow.connectionId);
          else if (publicToken) setConnected(await create.mutateAsync(publicToken));
        }
      } catch (caught) {
        setError(caught);
      } finally {
        flowRef.current = null;
        setActive(null);
      }
    },
    [create, sync],
  );

  const start = useCallback(
    (flow: LinkFlow) => {
      if (flowRef.current) return;
      flowRef.current = flow;
      setActive(flow);
      setError(null);
      setConnected(null);
      void (async () => {
        try {
          const token = await linkToken.mutateAsync(flow.kind === "fix" ? flow.connectionId : null);
          if (!token.demo_link_url) {
            setPlaidToken(token.link_token);
            return;
          }
          const popup = window.open("", "demo-bank-link", "popup,width=480,height=720");
          if (!popup) throw new PopupBlockedError();
          const controller = new AbortController();
          abort.current = controller;
          setWaitingForBank(true);
          const result = await awaitDemoLink(popup, token.demo_link_url, controller.signal);
          if (result?.type === "success") await finish(true, result.publicToken);
          else await finish(false, null);
        } catch (caught) {
          setError(caught);
          flowRef.current = null;
          setWaitingForBank(false);
          setActive(null);
        }
      })();
    },
    [finish, linkToken],
  );

  const cancel = useCallback(() => {
    abort.current?.abort();
    abort.current = null;
  }, []);

  return {
    start,
    cancel,
    active,
    waitingForBank,
    plaidToken,
    onPlaidSuccess: (publicToken) => void finish(true, publicToken),
    onPlaidExit: () => void finish(false, null),
    error,
    connected,
  };
}
