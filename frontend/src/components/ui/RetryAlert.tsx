"use client";

import { Alert } from "./Alert";
import { Button } from "./Button";

/** A failed load of one card: what went wrong, and a button that asks again for that card only. */
export function RetryAlert({
  error,
  onRetry,
  retrying = false,
}: {
  error: Error;
  onRetry: () => unknown;
  retrying?: boolean;
}) {
  return (
    <Alert>
      <p>{error.message}</p>
      <Button variant="secondary" size="sm" className="mt-2" busy={retrying} onClick={onRetry}>
        Try again
      </Button>
    </Alert>
  );
}
