"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";

import { filtersFromParams, filtersToParams, type TransactionFilters } from "./filters";

/**
 * The filters as read from the URL, and a setter that writes them back. Picking a month, account
 * or category adds a history entry (so Back undoes it); typing a search replaces the entry.
 */
export function useUrlFilters(): [
  TransactionFilters,
  (change: Partial<TransactionFilters>, options?: { replace?: boolean }) => void,
] {
  const searchParams = useSearchParams();
  const pathname = usePathname();
  const router = useRouter();
  const filters = useMemo(() => filtersFromParams(searchParams), [searchParams]);

  const setFilters = useCallback(
    (change: Partial<TransactionFilters>, options: { replace?: boolean } = {}) => {
      const query = filtersToParams({ ...filters, ...change }).toString();
      const href = query ? `${pathname}?${query}` : pathname;
      if (options.replace) router.replace(href, { scroll: false });
      else router.push(href, { scroll: false });
    },
    [filters, pathname, router],
  );
  return [filters, setFilters];
}
