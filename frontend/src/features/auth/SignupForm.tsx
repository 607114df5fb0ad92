"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, unwrap } from "@/api/client";
import { mergeFieldErrors, serverFieldErrors, type CodeFields } from "@/api/serverErrors";
import { Button } from "@/components/ui/Button";
import { Spinner } from "@/components/ui/Card";
import { TextField } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormError";
import { rememberHousehold } from "@/features/households/HouseholdContext";
import { safeNextPath } from "@/features/session/RequireSession";
import { useSession } from "@/features/session/SessionProvider";

import { AuthHeading, TextLink } from "./AuthFrame";
import type { CurrencyCode } from "./currencies";
import { CurrencySelect, useGuessedCurrency } from "./CurrencySelect";
import { ACCEPT_INVITATION_PATH, withNext } from "./links";
import { useSignedInRedirect } from "./useSignedInRedirect";
import {
  hasErrors,
  PASSWORD_HINT,
  validateSignup,
  type FieldErrors,
  type SignupValues,
} from "./validation";

const SIGNUP_CODE_FIELDS: CodeFields = { email_taken: "email", weak_password: "password" };

export function SignupForm({ next }: { next: string | null }) {
  const nextPath = safeNextPath(next);
  // Signing up to accept an invitation: the household to join is waiting, so none is created.
  const joining = nextPath?.startsWith(ACCEPT_INVITATION_PATH) ?? false;
  const { status, setDestination } = useSignedInRedirect(nextPath ?? "/");
  const guessedCurrency = useGuessedCurrency();
  const [chosenCurrency, setChosenCurrency] = useState<CurrencyCode | null>(null);
  const [fields, setFields] = useState({ name: "", email: "", password: "", householdName: "" });
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const values: SignupValues = { ...fields, currency: chosenCurrency ?? guessedCurrency };
  // An invitation link (next) wins over the household created along with the account.
  const signUp = useSignup(joining, (householdId) => {
    if (!nextPath) setDestination(`/h/${householdId}/dashboard`);
  });

  if (status !== "anonymous" && !signUp.isPending)
    return <Spinner label={status === "loading" ? "Loading" : "Opening your household"} />;

  const errors = mergeFieldErrors(
    clientErrors,
    serverFieldErrors(signUp.error, SIGNUP_CODE_FIELDS),
  );
  const set = (field: keyof typeof fields) => (event: { target: { value: string } }) =>
    setFields((current) => ({ ...current, [field]: event.target.value }));

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateSignup(values);
    setClientErrors(found);
    if (hasErrors(found)) return;
    signUp.mutate(values);
  }

  return (
    <>
      <AuthHeading title="Create your account">
        {joining
          ? "Then you join the household that invited you."
          : "One account for you; a household the family shares."}
      </AuthHeading>
      <form noValidate onSubmit={submit} className="flex flex-col gap-4">
        <FormError error={signUp.error} codeFields={SIGNUP_CODE_FIELDS} />
        <TextField
          label="Your name"
          autoComplete="name"
          value={fields.name}
          onChange={set("name")}
          error={errors.name}
          required
          maxLength={100}
        />
        <TextField
          label="Email"
          type="email"
          autoComplete="email"
          inputMode="email"
          value={fields.email}
          onChange={set("email")}
          error={errors.email}
          required
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          value={fields.password}
          onChange={set("password")}
          error={errors.password}
          hint={PASSWORD_HINT}
          required
        />
        {joining ? null : (
          <>
            <TextField
              label="Household name (optional)"
              autoComplete="off"
              value={fields.householdName}
              onChange={set("householdName")}
              error={errors.household_name}
              hint={
                fields.name.trim()
                  ? `Leave empty for “${fields.name.trim()}'s household”.`
                  : "Leave empty to name it after you."
              }
              maxLength={200}
            />
            <CurrencySelect
              label="Currency"
              value={values.currency}
              onValueChange={setChosenCurrency}
              error={errors.currency}
              hint="The currency your budget is kept in."
            />
          </>
        )}
        <Button type="submit" busy={signUp.isPending}>
          Create account
        </Button>
      </form>
      <p className="mt-4 text-sm text-muted">
        Already have an account? <TextLink href={withNext("/login", nextPath)}>Sign in</TextLink>
      </p>
    </>
  );
}

/** Register, then sign in with the same credentials (the new household is known before that). */
function useSignup(joining: boolean, onRegistered: (householdId: string) => void) {
  const { login } = useSession();
  return useMutation({
    mutationFn: async (values: SignupValues) => {
      const me = await unwrap(
        api.POST("/api/v1/auth/register", {
          body: joining
            ? {
                name: values.name.trim(),
                email: values.email.trim(),
                password: values.password,
                create_household: false,
              }
            : {
                name: values.name.trim(),
                email: values.email.trim(),
                password: values.password,
                create_household: true,
                household_name: values.householdName.trim() || null,
                currency: values.currency,
              },
        }),
      );
      const householdId = me.households[0]?.household_id;
      if (householdId) {
        rememberHousehold(householdId);
        onRegistered(householdId);
      }
      await login(values.email.trim(), values.password);
    },
  });
}
