"use client";

import { useState, type FormEvent } from "react";

import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card, PageHeader } from "@/components/ui/Card";
import { TextField } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormError";
import { PreferencesCard } from "@/features/notifications/PreferencesForm";
import { PushOptIn } from "@/features/notifications/PushOptIn";
import { useMe } from "@/features/session/SessionProvider";

import { SessionsCard } from "./SessionsCard";
import { TwoFactorCard } from "./TwoFactorCard";
import { useChangeEmail, useChangePassword, useUpdateName } from "./api";

/** The signed-in person's own settings: name, email, password, two-step sign-in, devices, notifications. */
export function ProfilePage() {
  return (
    <div className="flex flex-col gap-4">
      <PageHeader title="Profile">
        <p className="text-sm text-muted">
          Your name, email address and password.{" "}
          <a href="#notifications" className="font-medium text-primary underline">
            Notification settings
          </a>
        </p>
      </PageHeader>
      <div className="grid gap-4 lg:grid-cols-2">
        <NameCard />
        <EmailCard />
        <PasswordCard />
        <TwoFactorCard />
        <PushOptIn />
      </div>
      <SessionsCard />
      {/* Below the sticky header when jumped to. */}
      <div id="notifications" className="scroll-mt-20">
        <PreferencesCard />
      </div>
    </div>
  );
}

function NameCard() {
  const me = useMe();
  const [name, setName] = useState(me.name);
  const update = useUpdateName();
  return (
    <Card title="Name">
      <form
        noValidate
        className="flex flex-col gap-3"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          if (name.trim()) update.mutate(name.trim());
        }}
      >
        <FormError error={update.error} />
        {update.isSuccess ? <Alert tone="success">Name saved.</Alert> : null}
        <TextField
          label="Your name"
          value={name}
          onChange={(event) => setName(event.target.value)}
          maxLength={100}
          required
          autoComplete="name"
        />
        <div>
          <Button type="submit" busy={update.isPending} disabled={name.trim() === me.name}>
            Save name
          </Button>
        </div>
      </form>
    </Card>
  );
}

function EmailCard() {
  const me = useMe();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const change = useChangeEmail();
  return (
    <Card title="Email address">
      <form
        noValidate
        className="flex flex-col gap-3"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          change.mutate(
            { new_email: email.trim(), current_password: password },
            { onSuccess: () => setPassword("") },
          );
        }}
      >
        <p className="text-sm">
          Now: <span className="font-medium break-all">{me.email}</span>
        </p>
        <FormError error={change.error} />
        {change.isSuccess ? (
          <Alert tone="success">Saved. We sent a confirmation link to the new address.</Alert>
        ) : null}
        <TextField
          label="New email address"
          type="email"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          autoComplete="email"
          required
        />
        <TextField
          label="Current password"
          type="password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          autoComplete="current-password"
          required
        />
        <div>
          <Button type="submit" busy={change.isPending} disabled={!email.trim() || !password}>
            Change email
          </Button>
        </div>
      </form>
    </Card>
  );
}

function PasswordCard() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const change = useChangePassword();
  return (
    <Card title="Password">
      <form
        noValidate
        className="flex flex-col gap-3"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          change.mutate(
            { current_password: current, new_password: next },
            {
              onSuccess: () => {
                setCurrent("");
                setNext("");
              },
            },
          );
        }}
      >
        <FormError error={change.error} />
        {change.isSuccess ? (
          <Alert tone="success">Password changed. Other devices were signed out.</Alert>
        ) : null}
        <TextField
          label="Current password"
          type="password"
          value={current}
          onChange={(event) => setCurrent(event.target.value)}
          autoComplete="current-password"
          required
        />
        <TextField
          label="New password"
          type="password"
          value={next}
          onChange={(event) => setNext(event.target.value)}
          autoComplete="new-password"
          hint="At least 12 characters."
          required
        />
        <div>
          <Button type="submit" busy={change.isPending} disabled={!current || !next}>
            Change password
          </Button>
        </div>
      </form>
    </Card>
  );
}
