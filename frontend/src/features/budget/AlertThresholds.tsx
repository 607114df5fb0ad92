"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, unwrap } from "@/api/client";
import { Button } from "@/components/ui/Button";
import { TextField } from "@/components/ui/Field";
import { fieldError, FormError } from "@/components/ui/FormError";
import { householdKey } from "@/features/households/HouseholdContext";

function thresholdsKey(householdId: string, categoryId: string): unknown[] {
  return householdKey(householdId, "alert-thresholds", categoryId);
}

/** Parse "80, 100" into [80, 100]; null when it is not a list of whole numbers. */
export function parsePercents(text: string): number[] | null {
  const parts = text
    .split(/[\s,;]+/)
    .map((part) => part.replace(/%$/, ""))
    .filter(Boolean);
  if (!parts.every((part) => /^\d+$/.test(part))) return null;
  return parts.map(Number);
}

/**
 * A spending category's budget alert thresholds: spending that reaches one of these shares of
 * the month's budget alerts the adults, once a month per threshold.
 */
export function AlertThresholds({
  householdId,
  categoryId,
}: {
  householdId: string;
  categoryId: string;
}) {
  const queryClient = useQueryClient();
  const path = { household_id: householdId, category_id: categoryId };
  const current = useQuery({
    queryKey: thresholdsKey(householdId, categoryId),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/categories/{category_id}/alert-thresholds", {
          params: { path },
        }),
      ),
  });
  const save = useMutation({
    mutationFn: (percents: number[] | null) =>
      unwrap(
        api.PUT("/api/v1/households/{household_id}/categories/{category_id}/alert-thresholds", {
          params: { path },
          body: { percents },
        }),
      ),
    onSuccess: (data) => {
      queryClient.setQueryData(thresholdsKey(householdId, categoryId), data);
      setText(null);
    },
  });
  // null: showing what the server has.
  const [text, setText] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | undefined>();
  const shown = text ?? current.data?.percents.join(", ") ?? "";

  function submit(event: FormEvent) {
    event.preventDefault();
    const percents = parsePercents(shown);
    if (percents === null) {
      setProblem("Whole percentages, separated by commas (e.g. 80, 100)");
      return;
    }
    setProblem(undefined);
    save.mutate(percents);
  }

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-2 border-t border-border pt-4">
      <FormError error={save.error} />
      <TextField
        label="Budget alerts at (% of the month's budget)"
        value={shown}
        onChange={(event) => setText(event.target.value)}
        error={problem ?? fieldError(save.error, "percents")}
        hint={
          current.data?.is_default
            ? "The defaults. Leave empty for no alerts."
            : "Leave empty for no alerts."
        }
        inputMode="numeric"
        autoComplete="off"
      />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant="secondary" busy={save.isPending && save.variables !== null}>
          Save alerts
        </Button>
        {current.data && !current.data.is_default ? (
          <Button
            variant="ghost"
            busy={save.isPending && save.variables === null}
            onClick={() => save.mutate(null)}
          >
            Use the defaults (80, 100)
          </Button>
        ) : null}
      </div>
    </form>
  );
}
