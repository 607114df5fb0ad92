"use client";

/**
 * "Always do this": offered when an adult gives a transaction with a payee a new category; the
 * transaction dialog then asks for a rule (POST …/rules/from-transaction) once the edit is saved.
 */
export function AlwaysDoThis({
  payee,
  checked,
  onChange,
}: {
  payee: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <label className="flex min-h-11 items-center gap-2 text-sm">
      <input
        type="checkbox"
        className="size-5 accent-primary"
        checked={checked}
        onChange={(event) => onChange(event.target.checked)}
      />
      Always do this: give every transaction from “{payee}” this category
    </label>
  );
}

/** Whether to offer it: an adult changed the category of a plain (not split, not transfer) one. */
export function offerAlwaysDoThis(options: {
  isAdult: boolean;
  isTransfer: boolean;
  splitMode: boolean;
  payee: string;
  categoryId: string;
  savedCategoryId: string | null;
}): boolean {
  return (
    options.isAdult &&
    !options.isTransfer &&
    !options.splitMode &&
    options.payee.trim() !== "" &&
    options.categoryId !== "" &&
    options.categoryId !== (options.savedCategoryId ?? "")
  );
}
