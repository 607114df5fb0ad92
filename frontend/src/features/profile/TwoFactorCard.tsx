"use client";

import { useState, type FormEvent } from "react";

import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card, Spinner } from "@/components/ui/Card";
import { TextField } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormError";

import {
  useDisableTwoFactor,
  useEnableTwoFactor,
  useNewRecoveryCodes,
  useStartTwoFactorSetup,
  useTwoFactorStatus,
} from "./api";

/** Two-step sign-in: an authenticator app's code after the password, with recovery codes. */
export function TwoFactorCard() {
  const status = useTwoFactorStatus();
  const [shownCodes, setShownCodes] = useState<string[] | null>(null);
  return (
    <Card title="Two-step sign-in">
      <div className="flex flex-col gap-3">
        <FormError error={status.error} />
        {status.isPending ? <Spinner label="Loading two-step sign-in" /> : null}
        {shownCodes ? (
          <RecoveryCodes codes={shownCodes} onDone={() => setShownCodes(null)} />
        ) : status.data?.enabled ? (
          <TurnedOn
            codesLeft={status.data.recovery_codes_left}
            onNewCodes={(codes) => setShownCodes(codes)}
          />
        ) : status.data ? (
          <Setup onEnabled={(codes) => setShownCodes(codes)} />
        ) : null}
      </div>
    </Card>
  );
}

function Setup({ onEnabled }: { onEnabled: (codes: string[]) => void }) {
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const start = useStartTwoFactorSetup();
  const enable = useEnableTwoFactor();
  if (!start.data)
    return (
      <form
        noValidate
        className="flex flex-col gap-3"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          if (password) start.mutate(password, { onSuccess: () => setPassword("") });
        }}
      >
        <p className="text-sm text-muted">
          Off. With it on, signing in also asks for a code from an authenticator app on your phone.
        </p>
        <FormError error={start.error} />
        <TextField
          label="Current password (to turn it on)"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          required
        />
        <div>
          <Button type="submit" busy={start.isPending}>
            Set up two-step sign-in
          </Button>
        </div>
      </form>
    );
  return (
    <form
      noValidate
      className="flex flex-col gap-3"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        if (code.trim())
          enable.mutate(code.replace(/\s/g, ""), {
            onSuccess: (answer) => onEnabled(answer.recovery_codes),
          });
      }}
    >
      <p className="text-sm">
        Scan this code with your authenticator app, or type the key into it, then enter the 6 digits
        it shows.
      </p>
      {/* A data: URI made by the API: an image, never markup put into the page. */}
      {/* eslint-disable-next-line @next/next/no-img-element */}
      <img
        src={start.data.qr_code_svg_data_uri}
        alt="QR code for your authenticator app"
        width={200}
        height={200}
        className="rounded bg-white p-1"
      />
      <p className="text-sm">
        Key: <code className="break-all font-mono">{start.data.secret}</code>
      </p>
      <FormError error={enable.error} />
      <TextField
        label="Code from the app"
        inputMode="numeric"
        autoComplete="one-time-code"
        maxLength={10}
        value={code}
        onChange={(event) => setCode(event.target.value)}
        required
      />
      <div>
        <Button type="submit" busy={enable.isPending}>
          Turn on
        </Button>
      </div>
    </form>
  );
}

function TurnedOn({
  codesLeft,
  onNewCodes,
}: {
  codesLeft: number;
  onNewCodes: (codes: string[]) => void;
}) {
  const [password, setPassword] = useState("");
  const disable = useDisableTwoFactor();
  const renew = useNewRecoveryCodes();
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm">
        On. {codesLeft === 1 ? "1 recovery code" : `${codesLeft} recovery codes`} left.
      </p>
      <FormError error={disable.error ?? renew.error} />
      <TextField
        label="Current password (to change this)"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        required
      />
      <div className="flex flex-wrap gap-2">
        <Button
          variant="secondary"
          busy={renew.isPending}
          disabled={!password}
          onClick={() =>
            renew.mutate(password, {
              onSuccess: (answer) => {
                setPassword("");
                onNewCodes(answer.recovery_codes);
              },
            })
          }
        >
          New recovery codes
        </Button>
        <Button
          variant="danger"
          busy={disable.isPending}
          disabled={!password}
          onClick={() => disable.mutate(password, { onSuccess: () => setPassword("") })}
        >
          Turn off
        </Button>
      </div>
    </div>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <div className="flex flex-col gap-3">
      <Alert tone="success">
        Two-step sign-in is on. Keep these recovery codes somewhere safe: each signs you in once if
        you lose your phone. They are shown only now.
      </Alert>
      <ul className="grid grid-cols-2 gap-1 font-mono" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      <div>
        <Button onClick={onDone}>I saved them</Button>
      </div>
    </div>
  );
}
