"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import type { components } from "@/api/schema";
import { householdKey, useInvalidateHousehold } from "@/features/households/HouseholdContext";

export type Import = components["schemas"]["ImportRead"];
export type ImportRow = components["schemas"]["ImportRowRead"];
export type ImportOptions = components["schemas"]["ImportOptions"];
export type UndoResult = components["schemas"]["UndoResult"];

const WORKING_POLL_MS = 1000;
export const ROWS_PAGE = 500;

function importsKey(householdId: string, ...rest: unknown[]): unknown[] {
  return householdKey(householdId, "imports", ...rest);
}

/** The worker is still reading or writing a big file. */
export function isWorking(item: Import | undefined): boolean {
  return item?.status === "parsing" || item?.status === "committing";
}

export function useImports(householdId: string) {
  return useQuery({
    queryKey: importsKey(householdId),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/imports", {
          params: { path: { household_id: householdId } },
        }),
      ),
    refetchInterval: (query) => (query.state.data?.items.some(isWorking) ? WORKING_POLL_MS : false),
  });
}

/** One import; asked again while the worker works on it, so the progress bar moves. */
export function useImport(householdId: string, importId: string | null) {
  return useQuery({
    queryKey: importsKey(householdId, importId),
    enabled: importId !== null,
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/imports/{import_id}", {
          params: { path: { household_id: householdId, import_id: importId ?? "" } },
        }),
      ),
    refetchInterval: (query) => (isWorking(query.state.data) ? WORKING_POLL_MS : false),
  });
}

/** The first ROWS_PAGE preview rows, refreshed whenever the import changes. */
export function useImportRows(householdId: string, item: Import | undefined) {
  return useQuery({
    queryKey: importsKey(householdId, item?.id, "rows", item?.status, item?.counts),
    enabled: item !== undefined && !isWorking(item),
    placeholderData: keepPreviousData,
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/households/{household_id}/imports/{import_id}/rows", {
          params: {
            path: { household_id: householdId, import_id: item?.id ?? "" },
            query: { limit: ROWS_PAGE },
          },
        }),
      ),
  });
}

export function useUploadImport(householdId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({
      file,
      accountId,
      options,
    }: {
      file: File;
      accountId: string;
      options?: ImportOptions;
    }) => {
      const form = new FormData();
      form.append("file", file, file.name);
      form.append("account_id", accountId);
      if (options) form.append("options", JSON.stringify(options));
      return (await unwrap(
        api.POST("/api/v1/households/{household_id}/imports", {
          params: { path: { household_id: householdId } },
          // openapi-fetch sends FormData as it is (the browser sets the multipart boundary).
          body: form as unknown as { file: string; account_id: string },
        }),
      )) as Import;
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: importsKey(householdId) }),
  });
}

export function useUpdateImport(householdId: string, importId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: components["schemas"]["ImportUpdate"]) =>
      unwrap(
        api.PATCH("/api/v1/households/{household_id}/imports/{import_id}", {
          params: { path: { household_id: householdId, import_id: importId } },
          body,
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: importsKey(householdId) }),
  });
}

export function useCommitImport(householdId: string) {
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: (importId: string) =>
      unwrap(
        api.POST("/api/v1/households/{household_id}/imports/{import_id}/commit", {
          params: { path: { household_id: householdId, import_id: importId } },
        }),
      ),
    // Balances, budgets and transaction lists all change.
    onSuccess: () => invalidate(),
  });
}

export function useUndoImport(householdId: string) {
  const invalidate = useInvalidateHousehold(householdId);
  return useMutation({
    mutationFn: (importId: string) =>
      unwrap(
        api.DELETE("/api/v1/households/{household_id}/imports/{import_id}", {
          params: { path: { household_id: householdId, import_id: importId } },
        }),
      ),
    onSuccess: () => invalidate(),
  });
}
