"use client";

import { useEffect } from "react";
import { usePlaidLink } from "react-plaid-link";

/** Opens Plaid Link (real Plaid keys) for `token` as soon as its script is ready. */
export function PlaidLinkLauncher({
  token,
  onSuccess,
  onExit,
}: {
  token: string;
  /** Update mode may give no public token: the item is repaired, nothing to exchange. */
  onSuccess: (publicToken: string | null) => void;
  onExit: () => void;
}) {
  const { open, ready } = usePlaidLink({
    token,
    onSuccess: (publicToken) => onSuccess(publicToken),
    onExit: () => onExit(),
  });
  useEffect(() => {
    if (ready) open();
  }, [ready, open]);
  return null;
}
