/** Pure rules of the categories page: names, what is shown, and what a category may merge into. */

/** The API's limit on group and category names (code points, as Python counts them). */
export const MAX_NAME_LENGTH = 100;

/** Why a group or category name cannot be sent, or undefined when it can. */
export function nameError(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed === "") return "Enter a name";
  if ([...trimmed].length > MAX_NAME_LENGTH) return `Use at most ${MAX_NAME_LENGTH} characters`;
  return undefined;
}

export interface CategoryLike {
  id: string;
  name: string;
  is_income: boolean;
  hidden: boolean;
}

export interface GroupLike<C extends CategoryLike> {
  id: string;
  name: string;
  hidden: boolean;
  categories?: C[];
}

/**
 * The groups to show, in the API's order. Without `showHidden`, hidden groups and hidden
 * categories are left out, as everywhere else in the app.
 */
export function visibleGroups<C extends CategoryLike, G extends GroupLike<C>>(
  groups: readonly G[],
  showHidden: boolean,
): Array<G & { categories: C[] }> {
  return groups
    .filter((group) => showHidden || !group.hidden)
    .map((group) => ({
      ...group,
      categories: (group.categories ?? []).filter((category) => showHidden || !category.hidden),
    }));
}

/**
 * How many groups and categories the hidden filter takes away (a hidden group's categories count
 * once, as the group).
 */
export function hiddenCount<C extends CategoryLike>(groups: readonly GroupLike<C>[]): number {
  let count = 0;
  for (const group of groups) {
    if (group.hidden) count += 1;
    else count += (group.categories ?? []).filter((category) => category.hidden).length;
  }
  return count;
}

/** The API's largest sort_order. */
export const MAX_SORT_ORDER = 1_000_000;

/** A category moved into a group goes to its end, after every category there (hidden ones too). */
export function endOfGroupSortOrder(
  group: { categories?: Array<{ sort_order: number }> } | undefined,
): number {
  const orders = (group?.categories ?? []).map((category) => category.sort_order);
  return orders.length === 0 ? 0 : Math.min(Math.max(...orders) + 1, MAX_SORT_ORDER);
}

export interface MergeTargetGroup<C extends CategoryLike> {
  groupId: string;
  groupName: string;
  categories: C[];
}

/**
 * Where a category can be merged: any other category of the same sort — the API refuses to mix
 * income and spending — hidden ones included, grouped as on the page.
 */
export function mergeTargets<C extends CategoryLike>(
  groups: readonly GroupLike<C>[],
  source: CategoryLike,
): MergeTargetGroup<C>[] {
  return groups
    .map((group) => ({
      groupId: group.id,
      groupName: group.name,
      categories: (group.categories ?? []).filter(
        (category) => category.id !== source.id && category.is_income === source.is_income,
      ),
    }))
    .filter((group) => group.categories.length > 0);
}

export interface MergeCounts {
  moved_transactions: number;
  moved_split_lines: number;
  moved_budget_months: number;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** What a merge moved, as the API reported it, in one sentence. */
export function describeMerge(sourceName: string, targetName: string, counts: MergeCounts): string {
  const moved = [
    plural(counts.moved_transactions, "transaction", "transactions"),
    plural(counts.moved_split_lines, "split line", "split lines"),
    plural(counts.moved_budget_months, "month of budget", "months of budget"),
  ];
  return `“${sourceName}” was merged into “${targetName}”: ${moved[0]}, ${moved[1]} and ${moved[2]} moved.`;
}
