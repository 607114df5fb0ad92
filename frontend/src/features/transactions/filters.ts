/**
 * The page's filters live in the URL (?month=2024-03&account=…&category=…&q=…, or
 * ?from=2024-03-10&to=2024-04-02 instead of a month) so that reload, back and shared links keep
 * them. These functions translate between the URL, the form and the
 * API's query, using only filters the API offers.
 */
import type { operations } from "@/api/schema";
import { currentMonth, isMonth, monthRange } from "@/lib/dates";

export type ListQuery = NonNullable<operations["list_transactions"]["parameters"]["query"]>;

export const ALL_MONTHS = "all";
export const UNCATEGORIZED = "uncategorized";
/** The API's limit on the search text. */
export const MAX_SEARCH_LENGTH = 200;

export interface TransactionFilters {
  /** "YYYY-MM" or ALL_MONTHS; ignored while a date range is set. */
  month: string;
  /** First and last day (inclusive, "YYYY-MM-DD"); either may be open. Replaces the month. */
  from: string | null;
  to: string | null;
  accountId: string | null;
  /** A category id, UNCATEGORIZED, or null for every category. */
  category: string | null;
  /** Part of the payee, memo or category name, or an amount, matched by the API. */
  search: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A real calendar day written as YYYY-MM-DD (not 2024-02-30). */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [year, month, day] = value.split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

/** A date range the API accepts: each end a real day, the first not after the last. */
export function isValidRange(from: string | null, to: string | null): boolean {
  if ((from !== null && !isIsoDate(from)) || (to !== null && !isIsoDate(to))) return false;
  // ISO dates compare as text.
  return from === null || to === null || from <= to;
}

export function hasDateRange(filters: Pick<TransactionFilters, "from" | "to">): boolean {
  return filters.from !== null || filters.to !== null;
}

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
  let from = params.get("from") || null;
  let to = params.get("to") || null;
  // A hand-edited link with a bad range shows the month instead of an error page.
  if (!isValidRange(from, to)) from = to = null;
  return {
    month: month === ALL_MONTHS || (month !== null && isMonth(month)) ? month : currentMonth(now),
    from,
    to,
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
  if (hasDateRange(filters)) {
    if (filters.from) params.set("from", filters.from);
    if (filters.to) params.set("to", filters.to);
  } else if (filters.month !== currentMonth(now)) params.set("month", filters.month);
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
  if (hasDateRange(filters)) {
    if (filters.from) query.from = filters.from;
    if (filters.to) query.to = filters.to;
  } else if (filters.month !== ALL_MONTHS) {
    const [first, last] = monthRange(filters.month);
    query.from = first;
    query.to = last;
  }
  if (filters.accountId) query.account_id = filters.accountId;
  if (filters.category === UNCATEGORIZED) query.uncategorized = true;
  else if (filters.category) query.category_id = filters.category;
  const search = filters.search.trim();
  if (search) query.q = search;
  return query;
}

/** Anything narrower than "this month, every account and category, no search". */
export function narrowsBeyondMonth(filters: TransactionFilters): boolean {
  return filters.accountId !== null || filters.category !== null || filters.search.trim() !== "";
}
