/**
 * The account a new transaction starts on: the one the person used last in this household, kept
 * in this browser (localStorage, one entry per household), as long as it is still open.
 */

type KeyValueStore = Pick<Storage, "getItem" | "setItem">;

const KEY_PREFIX = "family-budget:last-account:";

function browserStorage(): KeyValueStore | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null; // storage disabled (privacy settings): nothing is remembered
  }
}

export function rememberLastAccount(
  householdId: string,
  accountId: string,
  storage: KeyValueStore | null = browserStorage(),
): void {
  try {
    storage?.setItem(KEY_PREFIX + householdId, accountId);
  } catch {
    // Full or disabled storage: the form simply will not remember.
  }
}

export function lastAccountId(
  householdId: string,
  openAccountIds: readonly string[],
  storage: KeyValueStore | null = browserStorage(),
): string | null {
  let remembered: string | null = null;
  try {
    remembered = storage?.getItem(KEY_PREFIX + householdId) ?? null;
  } catch {
    return null;
  }
  return remembered && openAccountIds.includes(remembered) ? remembered : null;
}

/**
 * The account a new transaction's form starts with: the list's account filter, else the last
 * account used, else the only open account, else none (the person picks).
 */
export function initialAccountId(
  householdId: string,
  openAccountIds: readonly string[],
  filteredAccountId: string | null | undefined,
  storage: KeyValueStore | null = browserStorage(),
): string {
  if (filteredAccountId && openAccountIds.includes(filteredAccountId)) return filteredAccountId;
  const last = lastAccountId(householdId, openAccountIds, storage);
  if (last) return last;
  return openAccountIds.length === 1 ? (openAccountIds[0] ?? "") : "";
}
