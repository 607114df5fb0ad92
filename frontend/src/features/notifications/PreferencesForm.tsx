"use client";

import { useState, type FormEvent } from "react";

import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card, Spinner } from "@/components/ui/Card";
import { FormError } from "@/components/ui/FormError";

import { usePreferences, useSavePreferences, type NotificationPreferences } from "./api";
import { CHANNEL_LABELS, CHANNELS, KIND_LABELS, KINDS, type Channel } from "./kinds";

/** Every kind x channel switch, and a global switch per channel. */
export function PreferencesCard() {
  const loaded = usePreferences();
  return (
    <Card title="Notifications">
      {loaded.data ? <PreferencesForm initial={loaded.data} /> : <Spinner />}
      <FormError error={loaded.error} />
    </Card>
  );
}

function PreferencesForm({ initial }: { initial: NotificationPreferences }) {
  const [draft, setDraft] = useState(initial);
  const save = useSavePreferences();
  const alwaysEmailed = new Set(initial.always_emailed ?? []);

  function setChannel(channel: Channel, on: boolean) {
    setDraft({ ...draft, channels: { ...draft.channels, [channel]: on } });
    save.reset();
  }

  function setSwitch(kind: (typeof KINDS)[number], channel: Channel, on: boolean) {
    setDraft({
      ...draft,
      kinds: { ...draft.kinds, [kind]: { ...draft.kinds[kind], [channel]: on } },
    });
    save.reset();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate(draft);
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-4">
      <FormError error={save.error} />
      {save.isSuccess ? <Alert tone="success">Notification settings saved.</Alert> : null}
      <fieldset className="flex flex-wrap gap-4">
        <legend className="mb-1 text-sm font-medium">Channels</legend>
        {CHANNELS.map((channel) => (
          <label key={channel} className="flex min-h-11 items-center gap-2 text-sm">
            <input
              type="checkbox"
              className="h-5 w-5"
              checked={draft.channels[channel]}
              onChange={(event) => setChannel(channel, event.target.checked)}
            />
            {CHANNEL_LABELS[channel]}
          </label>
        ))}
      </fieldset>
      <div className="overflow-x-auto">
        <table className="w-full text-sm">
          <caption className="sr-only">What to be told about, and how</caption>
          <thead>
            <tr className="text-left text-muted">
              <th scope="col" className="py-2 pr-4 font-medium">
                About
              </th>
              {CHANNELS.map((channel) => (
                <th key={channel} scope="col" className="px-2 py-2 font-medium">
                  {CHANNEL_LABELS[channel]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {KINDS.map((kind) => (
              <tr key={kind} className="border-t border-border">
                <th scope="row" className="py-2 pr-4 text-left font-normal">
                  {KIND_LABELS[kind]}
                </th>
                {CHANNELS.map((channel) => {
                  const locked = channel === "email" && alwaysEmailed.has(kind);
                  return (
                    <td key={channel} className="px-2 py-2">
                      <input
                        type="checkbox"
                        className="h-5 w-5"
                        aria-label={`${CHANNEL_LABELS[channel]}: ${KIND_LABELS[kind]}`}
                        checked={locked || draft.kinds[kind][channel]}
                        disabled={locked || !draft.channels[channel]}
                        onChange={(event) => setSwitch(kind, channel, event.target.checked)}
                      />
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="text-sm text-muted">
        Security alerts are always emailed: they warn you if someone else may be using your account.
      </p>
      <div>
        <Button type="submit" busy={save.isPending}>
          Save notification settings
        </Button>
      </div>
    </form>
  );
}
