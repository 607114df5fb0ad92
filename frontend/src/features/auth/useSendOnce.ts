import { useEffect, useRef } from "react";

/**
 * Sends a single-use token (verification, invitation) once when the page opens. The token works
 * once, so Strict Mode's second effect run and later re-renders must not send it again.
 */
export function useSendOnce(send: () => void): void {
  const sent = useRef(false);
  useEffect(() => {
    if (sent.current) return;
    sent.current = true;
    send();
  }, [send]);
}
