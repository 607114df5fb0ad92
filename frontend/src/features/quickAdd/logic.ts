/** Which account a quick entry starts on, remembered per household in this browser. */

interface AccountLike {
  id: string;
  archived_at: string | null;
}

/**
 * The account the last quick entry went to, while it is still open; otherwise the first open
 * account (the list comes in the household's display order); "" when there is none.
 */
export function quickAddAccountId(
  accounts: readonly AccountLike[],
  remembered: string | null,
): string {
  const open = accounts.filter((account) => account.archived_at === null);
  if (remembered && open.some((account) => account.id === remembered)) return remembered;
  return open[0]?.id ?? "";
}

const storageKey = (householdId: string) => `fb-quick-add-account:${householdId}`;

export function rememberedAccount(householdId: string): string | null {
  try {
    return localStorage.getItem(storageKey(householdId));
  } catch {
    return null;
  }
}

export function rememberAccount(householdId: string, accountId: string): void {
  try {
    localStorage.setItem(storageKey(householdId), accountId);
  } catch {
    // Without storage (private browsing) the first account is offered next time.
  }
}
