import type { CategoryGroup } from "@/features/categories/api";

/**
 * <option>s for a category picker, grouped as on the Categories page. Hidden categories are
 * left out unless one is the current value (so an old transaction still shows its category).
 */
export function CategoryOptions({
  groups,
  keepId,
  noneLabel = "Uncategorized",
}: {
  groups: CategoryGroup[];
  keepId?: string | null;
  noneLabel?: string;
}) {
  // Until the categories arrive, a categorized row must not look "Uncategorized".
  const known =
    !keepId ||
    groups.some((group) => (group.categories ?? []).some((category) => category.id === keepId));
  return (
    <>
      {known ? null : <option value={keepId ?? ""}>…</option>}
      <option value="">{noneLabel}</option>
      {groups.map((group) => {
        const categories = (group.categories ?? []).filter(
          (category) => !(group.hidden || category.hidden) || category.id === keepId,
        );
        if (categories.length === 0) return null;
        return (
          <optgroup key={group.id} label={group.name}>
            {categories.map((category) => (
              <option key={category.id} value={category.id}>
                {category.name}
              </option>
            ))}
          </optgroup>
        );
      })}
    </>
  );
}
