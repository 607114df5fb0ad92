"use client";

import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";

import { Alert } from "@/components/ui/Alert";
import { Amount } from "@/components/ui/Amount";
import { Card, Spinner } from "@/components/ui/Card";
import { formatWholeMoney } from "@/features/accounts/logic";
import { useHousehold } from "@/features/households/HouseholdContext";
import { useIncomeVsExpenses } from "@/features/reports/api";
import { formatMonth } from "@/lib/dates";
import { formatMoney } from "@/lib/money";

import { describeFlows, summarizeFlows } from "./logic";

const MONTHS = 12;
const shortMonth = (month: string) => formatMonth(month, undefined, "short");

/** Income against expenses for the twelve months ending with `month`, with a table of the numbers. */
export function IncomeExpensesChart({ month }: { month: string }) {
  const household = useHousehold();
  const report = useIncomeVsExpenses(household.id, MONTHS, month);
  const currency = household.currency;
  const months = report.data?.months ?? [];
  const summary = summarizeFlows(months);
  // An empty chart of zero bars says nothing the sentence does not.
  const hasFlows = summary.incomeMinor !== 0 || summary.expensesMinor !== 0;

  return (
    <Card title="Income vs expenses · last 12 months">
      {report.isPending ? <Spinner label="Loading income and expenses" /> : null}
      {report.isError ? <Alert>{report.error.message}</Alert> : null}
      {report.data ? (
        <>
          <p className="mb-3 text-sm text-muted">{describeFlows(months, currency)}</p>
          {hasFlows ? (
            <>
              <div aria-hidden="true">
                <BarChart responsive style={{ width: "100%", height: 260 }} data={months} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
                  <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="month" tickFormatter={shortMonth} stroke="var(--muted)" tick={{ fill: "var(--muted)", fontSize: 12 }} minTickGap={8} />
                  <YAxis tickFormatter={(value: number) => formatWholeMoney(value, currency)} stroke="var(--muted)" tick={{ fill: "var(--muted)", fontSize: 12 }} width={80} />
                  <Tooltip
                    formatter={(value) => formatMoney(Number(value), currency)}
                    labelFormatter={(label) => formatMonth(String(label))}
                    cursor={{ fill: "var(--bg)" }}
                    contentStyle={{ background: "var(--card)", border: "1px solid var(--border)", color: "var(--fg)", borderRadius: 6 }}
                    labelStyle={{ color: "var(--fg)", fontWeight: 600 }}
                  />
                  <Legend wrapperStyle={{ color: "var(--fg)", fontSize: 13 }} itemSorter={null} />
                  <Bar dataKey="income_minor" name="Income" fill="var(--success)" isAnimationActive={false} />
                  <Bar dataKey="expenses_minor" name="Expenses" fill="var(--danger)" isAnimationActive={false} />
                </BarChart>
              </div>
              <details className="mt-3 text-sm">
                <summary className="flex min-h-11 cursor-pointer items-center font-medium">Show the numbers as a table</summary>
                <div className="overflow-x-auto">
                  <table className="w-full">
                    <caption className="sr-only">Income, expenses and the difference per month</caption>
                    <thead>
                      <tr className="border-b border-border text-left text-muted">
                        <th scope="col" className="py-2 pr-3 font-medium">
                          Month
                        </th>
                        <th scope="col" className="py-2 pr-3 text-right font-medium">
                          Income
                        </th>
                        <th scope="col" className="py-2 pr-3 text-right font-medium">
                          Expenses
                        </th>
                        <th scope="col" className="py-2 text-right font-medium">
                          Net
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {months.map((row) => (
                        <tr key={row.month} className="border-b border-border last:border-0">
                          <th scope="row" className="py-1.5 pr-3 text-left font-normal whitespace-nowrap">
                            {formatMonth(row.month)}
                          </th>
                          <td className="py-1.5 pr-3 text-right">
                            <Amount minor={row.income_minor} currency={currency} />
                          </td>
                          <td className="py-1.5 pr-3 text-right">
                            <Amount minor={row.expenses_minor} currency={currency} />
                          </td>
                          <td className="py-1.5 text-right font-medium">
                            <Amount minor={row.net_minor} currency={currency} />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </details>
            </>
          ) : null}
        </>
      ) : null}
    </Card>
  );
}
