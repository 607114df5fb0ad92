import type { Currency } from "@/lib/money";

import { Amount } from "./Amount";

/** A card's headline amounts side by side (stacked on a phone): balances, totals. */
export function Figures({
  items,
  currency,
}: {
  items: { label: string; minor: number }[];
  currency: Currency;
}) {
  return (
    <dl className="grid grid-cols-1 gap-3 sm:grid-cols-3">
      {items.map((item) => (
        <div
          key={item.label}
          className="flex items-baseline justify-between gap-2 sm:flex-col sm:items-start"
        >
          <dt className="text-sm text-muted">{item.label}</dt>
          <dd className="text-xl font-semibold">
            <Amount minor={item.minor} currency={currency} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
