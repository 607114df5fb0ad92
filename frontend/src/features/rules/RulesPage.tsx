"use client";

import { useState } from "react";

import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { EmptyState, PageHeader, Spinner } from "@/components/ui/Card";
import { FormError } from "@/components/ui/FormError";
import { useAccounts } from "@/features/accounts/api";
import { flattenCategories, useCategoryGroups } from "@/features/categories/api";
import { useHousehold } from "@/features/households/HouseholdContext";

import { useReorderRules, useRules, type Rule } from "./api";
import { ApplyRuleDialog } from "./ApplyRuleDialog";
import { DeleteRuleDialog } from "./DeleteRuleDialog";
import { moved } from "./form";
import { RuleFormDialog, type RuleFormTarget } from "./RuleFormDialog";
import { RuleItem } from "./RuleItem";

/** The household's rules in order; adults create, edit, reorder, apply and delete them. */
export function RulesPage() {
  const household = useHousehold();
  if (!household.isAdult)
    return (
      <div>
        <PageHeader title="Rules" />
        <Alert tone="info">Rules are for the adults of the household.</Alert>
      </div>
    );
  return <AdultRules householdId={household.id} />;
}

function AdultRules({ householdId }: { householdId: string }) {
  const rules = useRules(householdId);
  const groups = useCategoryGroups(householdId);
  const accounts = useAccounts(householdId);
  const reorder = useReorderRules(householdId);
  const [form, setForm] = useState<RuleFormTarget | null>(null);
  const [applying, setApplying] = useState<Rule | null>(null);
  const [deleting, setDeleting] = useState<Rule | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const list = rules.data ?? [];
  const categoryNames = new Map(
    flattenCategories(groups.data ?? [], { includeHidden: true }).map((c) => [c.id, c.name]),
  );
  const accountNames = new Map((accounts.data ?? []).map((a) => [a.id, a.name]));

  function move(index: number, by: -1 | 1) {
    setMessage(null);
    reorder.mutate(
      moved(
        list.map((rule) => rule.id),
        index,
        by,
      ),
    );
  }

  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        title="Rules"
        actions={<Button onClick={() => setForm({ mode: "create" })}>New rule</Button>}
      >
        <p className="max-w-2xl text-sm text-muted">
          Rules categorize imported and bank transactions as they arrive. They are read from the
          top: the first matching rule that sets a category (or a payee) decides it, and every
          matching rule adds its tags.
        </p>
      </PageHeader>
      {message ? <Alert tone="success">{message}</Alert> : null}
      <FormError error={reorder.error} />
      {rules.isPending ? (
        <Spinner label="Loading rules" />
      ) : rules.isError ? (
        <FormError error={rules.error} />
      ) : list.length === 0 ? (
        <EmptyState title="No rules yet">
          Make one here, or tick “Always do this” when you change a transaction’s category.
        </EmptyState>
      ) : (
        <ol className="flex flex-col gap-2" aria-label="Rules">
          {list.map((rule, index) => (
            <RuleItem
              key={rule.id}
              rule={rule}
              index={index}
              last={index === list.length - 1}
              categoryNames={categoryNames}
              accountNames={accountNames}
              busy={reorder.isPending}
              onMove={(by) => move(index, by)}
              onEdit={() => setForm({ mode: "edit", rule })}
              onApply={() => setApplying(rule)}
              onDelete={() => setDeleting(rule)}
            />
          ))}
        </ol>
      )}
      <RuleFormDialog
        target={form}
        groups={groups.data ?? []}
        accounts={accounts.data ?? []}
        onClose={(done) => {
          setForm(null);
          if (done) setMessage(done);
        }}
      />
      <ApplyRuleDialog
        rule={applying}
        onClose={(done) => {
          setApplying(null);
          if (done) setMessage(done);
        }}
      />
      <DeleteRuleDialog
        rule={deleting}
        onClose={(done) => {
          setDeleting(null);
          if (done) setMessage(done);
        }}
      />
    </div>
  );
}
