import { describe, expect, it } from "vitest";

import {
  initialAccountId,
  lastAccountId,
  rememberLastAccount,
} from "@/features/transactions/lastAccount";

/** A Storage stand-in: a Map behind getItem/setItem. */
function memoryStorage() {
  const values = new Map<string, string>();
  return {
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => void values.set(key, value),
  };
}

const CHECKING = "a1";
const SAVINGS = "a2";
const CARD = "a3";

describe("the last account used", () => {
  it("is remembered per household", () => {
    const storage = memoryStorage();
    rememberLastAccount("home", SAVINGS, storage);
    rememberLastAccount("cabin", CARD, storage);

    expect(lastAccountId("home", [CHECKING, SAVINGS, CARD], storage)).toBe(SAVINGS);
    expect(lastAccountId("cabin", [CHECKING, SAVINGS, CARD], storage)).toBe(CARD);
    expect(lastAccountId("elsewhere", [CHECKING, SAVINGS], storage)).toBeNull();
  });

  it("is forgotten once the account is no longer open", () => {
    const storage = memoryStorage();
    rememberLastAccount("home", SAVINGS, storage);

    expect(lastAccountId("home", [CHECKING, CARD], storage)).toBeNull();
    expect(initialAccountId("home", [CHECKING, CARD], null, storage)).toBe("");
  });

  it("gives way to the list's account filter, and is preferred to guessing", () => {
    const storage = memoryStorage();
    rememberLastAccount("home", SAVINGS, storage);

    expect(initialAccountId("home", [CHECKING, SAVINGS], CHECKING, storage)).toBe(CHECKING);
    expect(initialAccountId("home", [CHECKING, SAVINGS], null, storage)).toBe(SAVINGS);
    expect(initialAccountId("home", [CHECKING], null, memoryStorage())).toBe(CHECKING);
    expect(initialAccountId("home", [CHECKING, SAVINGS], null, memoryStorage())).toBe("");
  });

  it("survives storage that refuses to work", () => {
    const broken = {
      getItem: () => {
        throw new Error("SecurityError");
      },
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
    };
    expect(() => rememberLastAccount("home", SAVINGS, broken)).not.toThrow();
    expect(initialAccountId("home", [CHECKING, SAVINGS], null, broken)).toBe("");
    expect(initialAccountId("home", [CHECKING, SAVINGS], null, null)).toBe("");
  });
});
