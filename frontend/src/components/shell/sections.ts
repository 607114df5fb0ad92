/** Every section of a household, in the order the desktop tabs show them. */
export const SECTIONS = [
  { href: "dashboard", label: "Dashboard" },
  { href: "transactions", label: "Transactions" },
  { href: "import", label: "Import" },
  { href: "budget", label: "Budget" },
  { href: "bills", label: "Bills" },
  { href: "receipts", label: "Receipts" },
  { href: "accounts", label: "Accounts" },
  { href: "bank-connections", label: "Banks" },
  { href: "categories", label: "Categories" },
  { href: "rules", label: "Rules" },
  { href: "exports", label: "Exports" },
  { href: "members", label: "Household" },
  { href: "profile", label: "Profile" },
] as const;

export type Section = (typeof SECTIONS)[number];

/** The phone's bottom bar: what a family opens every day. The rest live behind "More". */
export const PHONE_TABS: readonly Section["href"][] = [
  "dashboard",
  "transactions",
  "budget",
  "accounts",
];

export const MORE_SECTIONS: readonly Section[] = SECTIONS.filter(
  (section) => !PHONE_TABS.includes(section.href),
);
