import type { Role } from "./HouseholdContext";

export const ROLES: readonly Role[] = ["owner", "adult", "teen"];

export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  owner: "Owner",
  adult: "Adult",
  teen: "Teen",
};

export const ROLE_DESCRIPTIONS: Readonly<Record<Role, string>> = {
  owner: "Everything an adult can do, plus members, invitations and household settings.",
  adult: "Manages accounts, categories, budgets and every transaction.",
  teen: "Sees the budget and the accounts shared with them; records their own spending.",
};
