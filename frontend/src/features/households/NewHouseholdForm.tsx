"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { mergeFieldErrors, serverFieldErrors } from "@/api/serverErrors";
import { Button } from "@/components/ui/Button";
import { TextField } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormError";
import { AuthHeading, TextLink } from "@/features/auth/AuthFrame";
import type { CurrencyCode } from "@/features/auth/currencies";
import { CurrencySelect, useGuessedCurrency } from "@/features/auth/CurrencySelect";
import { validateHouseholdName } from "@/features/auth/validation";
import { useMe, useSession } from "@/features/session/SessionProvider";

import { useCreateHousehold } from "./api";
import { rememberHousehold } from "./HouseholdContext";

export function NewHouseholdForm() {
  const me = useMe();
  const { logout } = useSession();
  const router = useRouter();
  const guessedCurrency = useGuessedCurrency();
  const [name, setName] = useState("");
  const [chosenCurrency, setChosenCurrency] = useState<CurrencyCode | null>(null);
  const [nameError, setNameError] = useState<string | undefined>();
  const create = useCreateHousehold();
  const currency = chosenCurrency ?? guessedCurrency;
  const errors = mergeFieldErrors({ name: nameError }, serverFieldErrors(create.error));

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateHouseholdName(name);
    setNameError(found);
    if (found) return;
    create.mutate(
      { name: name.trim(), currency },
      {
        onSuccess: (household) => {
          rememberHousehold(household.id);
          router.push(`/h/${household.id}/dashboard`);
        },
      },
    );
  }

  const firstHousehold = me.households.length === 0;
  return (
    <>
      <AuthHeading title={firstHousehold ? "Create your household" : "New household"}>
        {firstHousehold
          ? "You are not in a household yet. Create one, or open an invitation link someone sent you."
          : "A separate budget with its own accounts, categories and members. You will be its owner."}
      </AuthHeading>
      <form noValidate onSubmit={submit} className="flex flex-col gap-4">
        <FormError error={create.error} />
        <TextField
          label="Household name"
          value={name}
          onChange={(event) => setName(event.target.value)}
          error={errors.name}
          required
          maxLength={200}
          autoComplete="off"
        />
        <CurrencySelect
          label="Currency"
          value={currency}
          onValueChange={setChosenCurrency}
          error={errors.currency}
          hint="The currency the budget is kept in."
        />
        <Button type="submit" busy={create.isPending || create.isSuccess}>
          Create household
        </Button>
      </form>
      <div className="mt-4 flex flex-wrap items-center justify-between gap-2 text-sm">
        {firstHousehold ? <span /> : <TextLink href="/">Back to your households</TextLink>}
        <button
          type="button"
          className="min-h-11 font-medium text-primary hover:underline"
          onClick={async () => {
            await logout();
            router.replace("/login");
          }}
        >
          Sign out ({me.email})
        </button>
      </div>
    </>
  );
}
