"use client";

import { useEffect, useState } from "react";

import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";

import { registerBrowser, unregisterDevice, webPushKey } from "./api";
import {
  currentSubscription,
  pushSupported,
  rememberDevice,
  rememberedDevice,
  subscribe,
} from "./webPush";

type State = "checking" | "unsupported" | "off" | "on" | "blocked";

/** What this browser can do, and whether it is subscribed with a device the API knows. */
async function initialState(): Promise<State> {
  if (!pushSupported()) return "unsupported";
  if (Notification.permission === "denied") return "blocked";
  try {
    return (await currentSubscription()) && rememberedDevice() ? "on" : "off";
  } catch {
    return "off";
  }
}

/** Turn browser notifications on or off for this browser (Web Push). */
export function PushOptIn() {
  const [state, setState] = useState<State>("checking");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    initialState().then((found) => {
      if (!cancelled) setState(found);
    });
    return () => {
      cancelled = true;
    };
  }, []);

  async function turnOn() {
    setBusy(true);
    setFailure(null);
    try {
      if ((await Notification.requestPermission()) !== "granted") {
        setState("blocked");
        return;
      }
      const subscription = await subscribe(await webPushKey());
      rememberDevice(await registerBrowser(subscription.toJSON()));
      setState("on");
    } catch {
      setFailure("This browser could not be subscribed. Try again later.");
    } finally {
      setBusy(false);
    }
  }

  async function turnOff() {
    setBusy(true);
    setFailure(null);
    try {
      const deviceId = rememberedDevice();
      if (deviceId) await unregisterDevice(deviceId);
      await (await currentSubscription())?.unsubscribe();
      rememberDevice(null);
      setState("off");
    } catch {
      setFailure("Browser notifications could not be turned off. Try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="Browser notifications">
      <div className="flex flex-col gap-3 text-sm" aria-live="polite">
        {failure ? <Alert tone="error">{failure}</Alert> : null}
        {state === "unsupported" ? <p>This browser cannot receive push notifications.</p> : null}
        {state === "blocked" ? (
          <p>Notifications are blocked for this site. Allow them in the browser&apos;s settings.</p>
        ) : null}
        {state === "off" ? (
          <>
            <p>Get alerts on this device even when Family Budget is closed.</p>
            <div>
              <Button busy={busy} onClick={turnOn}>
                Turn on browser notifications
              </Button>
            </div>
          </>
        ) : null}
        {state === "on" ? (
          <>
            <p>This browser receives push notifications.</p>
            <div>
              <Button variant="secondary" busy={busy} onClick={turnOff}>
                Turn off browser notifications
              </Button>
            </div>
          </>
        ) : null}
      </div>
    </Card>
  );
}
