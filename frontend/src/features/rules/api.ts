"use client";

import { useMutation, useQuery } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import type { components } from "@/api/schema";
import { householdKey, useInvalidateHousehold } from "@/features/households/HouseholdContext";

export type Rule = components["schemas"]["RuleRead"];
export type RuleCreateBody = components["schemas"]["RuleCreate"];
export type RuleUpdateBody = components["schemas"]["RuleUpdate"];
export type RuleApplyResult = components["schemas"]["RuleApplyResult"];

export function rulesKey(householdId: string): unknown[] {
  return householdKey(householdId, "rules");
}

/** The household's rules in order (adults only: rules name every account). */
export function useRules(householdId: string) {
  return useQuery({
    queryKey: rulesKey(householdId),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/rules", {
          params: { path: { household_id: householdId } },
        }),
      ),
  });
}

export function useCreateRule(householdId: string) {
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: (body: RuleCreateBody) =>
      unwrap(
        api.POST("/api/v1/households/{household_id}/rules", {
          params: { path: { household_id: householdId } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useUpdateRule(householdId: string) {
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: ({ ruleId, body }: { ruleId: string; body: RuleUpdateBody }) =>
      unwrap(
        api.PATCH("/api/v1/households/{household_id}/rules/{rule_id}", {
          params: { path: { household_id: householdId, rule_id: ruleId } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useDeleteRule(householdId: string) {
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: (ruleId: string) =>
      unwrap(
        api.DELETE("/api/v1/households/{household_id}/rules/{rule_id}", {
          params: { path: { household_id: householdId, rule_id: ruleId } },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useReorderRules(householdId: string) {
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: (ruleIds: string[]) =>
      unwrap(
        api.PUT("/api/v1/households/{household_id}/rules/order", {
          params: { path: { household_id: householdId } },
          body: { rule_ids: ruleIds },
        }),
      ),
    onSuccess: invalidate,
  });
}

/** "Apply to existing": with dryRun, only how many transactions would change (and some). */
export function useApplyRule(householdId: string) {
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: ({ ruleId, dryRun }: { ruleId: string; dryRun: boolean }) =>
      unwrap(
        api.POST("/api/v1/households/{household_id}/rules/{rule_id}/apply", {
          params: {
            path: { household_id: householdId, rule_id: ruleId },
            query: { dry_run: dryRun },
          },
        }),
      ),
    onSuccess: async (result) => {
      if (!result.dry_run) await invalidate();
    },
  });
}

/** "Always do this": a first rule giving the transaction's payee this category. */
export function useRuleFromTransaction(householdId: string) {
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: (body: { transaction_id: string; category_id: string }) =>
      unwrap(
        api.POST("/api/v1/households/{household_id}/rules/from-transaction", {
          params: { path: { household_id: householdId } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}
