"use client";

import { useEffect, useRef, useState, type KeyboardEvent } from "react";

import { errorMessage } from "@/api/problem";
import { Amount } from "@/components/ui/Amount";
import { fieldError } from "@/components/ui/FormError";
import { MoneyField } from "@/components/ui/MoneyField";
import { amountInputValue, type Currency } from "@/lib/money";

import { parseAssigned } from "./assign";

interface AssignedEditorProps {
  categoryName: string;
  assignedMinor: number;
  currency: Currency;
  /** Saves the amount; rejects with the API's error, which is then shown at the input. */
  onSave: (assignedMinor: number) => Promise<unknown>;
}

/**
 * The assigned amount of a category, edited in place: click (or Enter on) the amount, type,
 * Enter or leaving the field saves, Escape cancels. On failure the typed text stays with the
 * error under it.
 */
export function AssignedEditor({
  categoryName,
  assignedMinor,
  currency,
  onSave,
}: AssignedEditorProps) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState("");
  const [error, setError] = useState<string | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const savingRef = useRef(false);
  // Cancelling unmounts the input; a blur fired on the way out must not save what was cancelled.
  const openRef = useRef(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const refocusButton = useRef(false);

  useEffect(() => {
    if (!editing && refocusButton.current) {
      refocusButton.current = false;
      buttonRef.current?.focus();
    }
  }, [editing]);

  function startEditing() {
    setText(assignedMinor === 0 ? "" : amountInputValue(assignedMinor, currency));
    setError(undefined);
    openRef.current = true;
    setEditing(true);
  }

  function stopEditing(returnFocus: boolean) {
    refocusButton.current = returnFocus;
    openRef.current = false;
    setError(undefined);
    setEditing(false);
  }

  async function commit(returnFocus: boolean) {
    // Enter saves, and the blur that follows must not save a second time.
    if (savingRef.current || !openRef.current) return;
    const parsed = parseAssigned(text, currency);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    if (parsed.minor === assignedMinor) {
      stopEditing(returnFocus);
      return;
    }
    savingRef.current = true;
    setSaving(true);
    try {
      await onSave(parsed.minor);
      stopEditing(returnFocus);
    } catch (failure) {
      setError(fieldError(failure, "assigned_minor") ?? errorMessage(failure));
    } finally {
      savingRef.current = false;
      setSaving(false);
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Enter") {
      event.preventDefault();
      void commit(true);
    } else if (event.key === "Escape") {
      // Escape belongs to this cell, not to a dialog or page handler around it.
      event.preventDefault();
      event.stopPropagation();
      stopEditing(true);
    }
  }

  if (!editing) {
    return (
      <button
        ref={buttonRef}
        type="button"
        onClick={startEditing}
        className="inline-flex min-h-11 w-full min-w-24 items-center justify-end rounded-md border border-dashed border-border px-3 text-right hover:border-primary hover:bg-bg"
      >
        <span className="sr-only">Assigned to {categoryName}: </span>
        <Amount minor={assignedMinor} currency={currency} />
      </button>
    );
  }

  return (
    <MoneyField
      label={`Assigned to ${categoryName}`}
      hideLabel
      hint=""
      currency={currency}
      value={text}
      onValueChange={(value) => {
        setText(value);
        setError(undefined);
      }}
      error={error}
      onKeyDown={onKeyDown}
      onBlur={() => void commit(false)}
      onFocus={(event) => event.currentTarget.select()}
      readOnly={saving}
      aria-busy={saving || undefined}
      autoFocus
      containerClassName="min-w-28"
    />
  );
}
