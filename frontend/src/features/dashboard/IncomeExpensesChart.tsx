"use client";

import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";

import { Amount } from "@/components/ui/Amount";
import { ChartDataTable } from "@/components/ui/ChartDataTable";
import { Card, Spinner } from "@/components/ui/Card";
import { RetryAlert } from "@/components/ui/RetryAlert";
import { formatWholeMoney } from "@/features/accounts/logic";
import { useHousehold } from "@/features/households/HouseholdContext";
import { useIncomeVsExpenses } from "@/features/reports/api";
import { formatMonth } from "@/lib/dates";
import { formatMoney } from "@/lib/money";

import { describeFlows, fromFirstMonthWithData, summarizeFlows } from "./logic";

const MONTHS = 12;
const shortMonth = (month: string) => formatMonth(month, undefined, "short");

/**
 * Income against expenses for up to twelve months ending with `month`, starting at the first of
 * them with any money moving (a new household sees its own months, not a row of empty ones),
 * with a table of the numbers.
 */
export function IncomeExpensesChart({ month }: { month: string }) {
  const household = useHousehold();
  const report = useIncomeVsExpenses(household.id, MONTHS, month);
  const currency = household.currency;
  const months = fromFirstMonthWithData(report.data?.months ?? []);
  const summary = summarizeFlows(months);
  const since = months.length > 0 && months.length < MONTHS ? months[0]?.month : undefined;
  // An empty chart of zero bars says nothing the sentence does not.
  const hasFlows = summary.incomeMinor !== 0 || summary.expensesMinor !== 0;

  return (
    <Card
      title={`Income vs expenses · ${since ? `since ${formatMonth(since)}` : "last 12 months"}`}
    >
      {report.isPending ? <Spinner label="Loading income and expenses" /> : null}
      {report.isError ? (
        <RetryAlert
          error={report.error}
          onRetry={() => report.refetch()}
          retrying={report.isFetching}
        />
      ) : null}
      {report.data ? (
        <>
          <p className="mb-3 text-sm text-muted">
            {months.length === 0
              ? "No income or expenses recorded yet."
              : describeFlows(months, currency)}
          </p>
          {hasFlows ? (
            <>
              <div aria-hidden="true">
                <BarChart
                  responsive
                  style={{ width: "100%", height: 260 }}
                  data={months}
                  margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
                  accessibilityLayer={false}
                >
                  <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" vertical={false} />
                  <XAxis
                    dataKey="month"
                    tickFormatter={shortMonth}
                    stroke="var(--muted)"
                    tick={{ fill: "var(--muted)", fontSize: 12 }}
                    minTickGap={8}
                  />
                  <YAxis
                    tickFormatter={(value: number) => formatWholeMoney(value, currency)}
                    stroke="var(--muted)"
                    tick={{ fill: "var(--muted)", fontSize: 12 }}
                    width={80}
                  />
                  <Tooltip
                    formatter={(value) => formatMoney(Number(value), currency)}
                    labelFormatter={(label) => formatMonth(String(label))}
                    cursor={{ fill: "var(--bg)" }}
                    contentStyle={{
                      background: "var(--card)",
                      border: "1px solid var(--border)",
                      color: "var(--fg)",
                      borderRadius: 6,
                    }}
                    labelStyle={{ color: "var(--fg)", fontWeight: 600 }}
                  />
                  <Legend wrapperStyle={{ color: "var(--fg)", fontSize: 13 }} itemSorter={null} />
                  <Bar
                    dataKey="income_minor"
                    name="Income"
                    fill="var(--success)"
                    isAnimationActive={false}
                  />
                  <Bar
                    dataKey="expenses_minor"
                    name="Expenses"
                    fill="var(--danger)"
                    isAnimationActive={false}
                  />
                </BarChart>
              </div>
              <ChartDataTable
                summary="Show the numbers as a table"
                caption="Income, expenses and the difference per month"
                labelHeader="Month"
                columns={["Income", "Expenses", "Net"]}
                emphasiseLast
                rows={months.map((row) => ({
                  key: row.month,
                  label: formatMonth(row.month),
                  values: [
                    <Amount key="income" minor={row.income_minor} currency={currency} />,
                    <Amount key="expenses" minor={row.expenses_minor} currency={currency} />,
                    <Amount key="net" minor={row.net_minor} currency={currency} />,
                  ],
                }))}
              />
            </>
          ) : null}
        </>
      ) : null}
    </Card>
  );
}
