"use client";

import Link from "next/link";
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";

import { Amount } from "@/components/ui/Amount";
import { ChartDataTable } from "@/components/ui/ChartDataTable";
import { Card, Spinner } from "@/components/ui/Card";
import { RetryAlert } from "@/components/ui/RetryAlert";
import { formatWholeMoney } from "@/features/accounts/logic";
import { useHousehold } from "@/features/households/HouseholdContext";
import { useSpendingByCategory } from "@/features/reports/api";
import { formatMonth, monthRange } from "@/lib/dates";
import { formatMoney } from "@/lib/money";

import { describeSpending, spendingBars } from "./logic";

const MAX_BARS = 8;

/** Where this month's money went, by category; the same numbers are available as a table. */
export function SpendingChart({ month }: { month: string }) {
  const household = useHousehold();
  const [from, to] = monthRange(month);
  const report = useSpendingByCategory(household.id, from, to);
  const currency = household.currency;
  const bars = report.data
    ? spendingBars(report.data.groups, report.data.uncategorized_minor, MAX_BARS)
    : [];

  return (
    <Card title={`Spending by category · ${formatMonth(month)}`}>
      {report.isPending ? <Spinner label="Loading spending" /> : null}
      {report.isError ? (
        <RetryAlert
          error={report.error}
          onRetry={() => report.refetch()}
          retrying={report.isFetching}
        />
      ) : null}
      {report.data ? (
        bars.length === 0 ? (
          <p className="text-sm text-muted">
            No spending recorded this month yet.{" "}
            <Link
              href={`/h/${household.id}/transactions`}
              className="font-medium text-primary underline"
            >
              Record a transaction
            </Link>
          </p>
        ) : (
          <>
            <p className="mb-3 text-sm text-muted">
              {describeSpending(bars, report.data.total_minor, currency)}
            </p>
            <div aria-hidden="true">
              <BarChart
                responsive
                layout="vertical"
                style={{ width: "100%", height: bars.length * 36 + 40 }}
                data={bars}
                margin={{ top: 0, right: 12, bottom: 0, left: 0 }}
                accessibilityLayer={false}
              >
                <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" horizontal={false} />
                <XAxis
                  type="number"
                  tickFormatter={(value: number) => formatWholeMoney(value, currency)}
                  stroke="var(--muted)"
                  tick={{ fill: "var(--muted)", fontSize: 12 }}
                  minTickGap={12}
                />
                <YAxis
                  type="category"
                  dataKey="name"
                  width={132}
                  stroke="var(--muted)"
                  tick={{ fill: "var(--fg)", fontSize: 12 }}
                  interval={0}
                />
                <Tooltip
                  formatter={(value) => [formatMoney(Number(value), currency), "Spent"]}
                  cursor={{ fill: "var(--bg)" }}
                  contentStyle={{
                    background: "var(--card)",
                    border: "1px solid var(--border)",
                    color: "var(--fg)",
                    borderRadius: 6,
                  }}
                  labelStyle={{ color: "var(--fg)", fontWeight: 600 }}
                />
                <Bar
                  dataKey="spent_minor"
                  name="Spent"
                  fill="var(--primary)"
                  radius={[0, 4, 4, 0]}
                  isAnimationActive={false}
                />
              </BarChart>
            </div>
            <ChartDataTable
              summary="Show spending as a table"
              caption={`Spending by category in ${formatMonth(month)}`}
              labelHeader="Category"
              columns={["Spent"]}
              rows={bars.map((bar) => ({
                key: bar.id,
                label: bar.name,
                values: [<Amount key="spent" minor={bar.spent_minor} currency={currency} />],
              }))}
            />
          </>
        )
      ) : null}
    </Card>
  );
}
