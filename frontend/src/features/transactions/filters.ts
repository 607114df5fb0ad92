/**
 * The page's filters live in the URL (?month=2024-03&account=…&category=…&q=…) so that reload,
 * back and shared links keep them. These functions translate between the URL, the form and the
 * API's query, using only filters the API offers.
 */
import type { operations } from "@/api/schema";
import { currentMonth, isMonth, monthRange } from "@/lib/dates";

export type ListQuery = NonNullable<operations["list_transactions"]["parameters"]["query"]>;

export const ALL_MONTHS = "all";
export const UNCATEGORIZED = "uncategorized";
/** The API's limit on the payee search text. */
export const MAX_SEARCH_LENGTH = 200;

export interface TransactionFilters {
  /** "YYYY-MM" or ALL_MONTHS. */
  month: string;
  accountId: string | null;
  /** A category id, UNCATEGORIZED, or null for every category. */
  category: string | null;
  /** Part of the payee, matched case-insensitively by the API. */
  search: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface ReadableParams {
  get(name: string): string | null;
}

export function filtersFromParams(
  params: ReadableParams,
  now: Date = new Date(),
): TransactionFilters {
  const month = params.get("month");
  const account = params.get("account");
  const category = params.get("category");
  return {
    month: month === ALL_MONTHS || (month !== null && isMonth(month)) ? month : currentMonth(now),
    accountId: account && UUID.test(account) ? account : null,
    category: category === UNCATEGORIZED || (category && UUID.test(category)) ? category : null,
    search: (params.get("q") ?? "").slice(0, MAX_SEARCH_LENGTH),
  };
}

/** The query string for these filters; defaults (this month, everything) are left out. */
export function filtersToParams(
  filters: TransactionFilters,
  now: Date = new Date(),
): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.month !== currentMonth(now)) params.set("month", filters.month);
  if (filters.accountId) params.set("account", filters.accountId);
  if (filters.category) params.set("category", filters.category);
  const search = filters.search.trim();
  if (search) params.set("q", search);
  return params;
}

/**
 * A link to a household's transactions of `month` in one category (or UNCATEGORIZED), in the
 * parameters filtersFromParams reads. The month is always written, unlike in filtersToParams, so
 * a link made this month still means this month when it is opened later.
 */
export function transactionsHref(householdId: string, month: string, category: string): string {
  const params = new URLSearchParams({ month, category });
  return `/h/${householdId}/transactions?${params.toString()}`;
}

/** The API query for these filters (without the paging parameters). */
export function listQuery(filters: TransactionFilters): ListQuery {
  const query: ListQuery = {};
  if (filters.month !== ALL_MONTHS) {
    const [first, last] = monthRange(filters.month);
    query.from = first;
    query.to = last;
  }
  if (filters.accountId) query.account_id = filters.accountId;
  if (filters.category === UNCATEGORIZED) query.uncategorized = true;
  else if (filters.category) query.category_id = filters.category;
  const search = filters.search.trim();
  if (search) query.payee = search;
  return query;
}

/** Anything narrower than "this month, every account and category, no search". */
export function narrowsBeyondMonth(filters: TransactionFilters): boolean {
  return filters.accountId !== null || filters.category !== null || filters.search.trim() !== "";
}
