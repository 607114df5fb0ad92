import { describe, expect, it } from "vitest";

import type { Transaction } from "@/features/transactions/form";
import { payeeLabel } from "@/features/transactions/TransactionRow";
import { transferRoute, transferSide } from "@/features/transactions/transferLabels";

type Link = NonNullable<Transaction["transfer"]>;

const link: Link = {
  transfer_id: "t1",
  counterpart_account_id: "a2",
  counterpart_transaction_id: "x2",
  from_account_id: "a1",
  from_account_name: "Checking",
  to_account_id: "a2",
  to_account_name: "Savings",
  moved_minor: 5000,
};
// What a teen sees when only Savings is shared with them.
const masked: Link = {
  ...link,
  counterpart_account_id: null,
  counterpart_transaction_id: null,
  from_account_id: null,
  from_account_name: null,
};

describe("transfer labels", () => {
  it("name the whole move in the all-accounts list", () => {
    expect(transferRoute(link)).toBe("Checking → Savings");
    expect(transferRoute(masked)).toBe("Another account → Savings");
    expect(payeeLabel({ payee: "Me", amount_minor: -5000, transfer: link }, false)).toBe(
      "Checking → Savings",
    );
  });

  it("name each leg from its own account", () => {
    expect(transferSide({ amount_minor: -5000 }, link)).toBe("Transfer to Savings");
    expect(transferSide({ amount_minor: 5000 }, link)).toBe("Transfer from Checking");
    expect(transferSide({ amount_minor: 5000 }, masked)).toBe("Transfer from another account");
    expect(payeeLabel({ payee: "", amount_minor: 5000, transfer: link }, true)).toBe(
      "Transfer from Checking",
    );
    expect(payeeLabel({ payee: "", amount_minor: -1, transfer: null }, true)).toBe("(no payee)");
  });
});
