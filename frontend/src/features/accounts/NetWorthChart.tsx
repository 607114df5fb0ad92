"use client";

import { useState } from "react";
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";

import { Alert } from "@/components/ui/Alert";
import { Amount } from "@/components/ui/Amount";
import { ChartDataTable } from "@/components/ui/ChartDataTable";
import { Card, Spinner } from "@/components/ui/Card";
import { SelectField } from "@/components/ui/Field";
import { useHousehold } from "@/features/households/HouseholdContext";
import { formatMonth } from "@/lib/dates";
import { formatMoney } from "@/lib/money";

import { useNetWorth } from "./api";
import { describeNetWorth, formatWholeMoney } from "./logic";

const RANGES = [
  { months: 6, label: "6 months" },
  { months: 12, label: "12 months" },
  { months: 24, label: "2 years" },
  { months: 60, label: "5 years" },
] as const;

const SERIES = [
  // Dashed assets stay visible where they run on top of net worth (a household with few debts).
  {
    key: "net_worth_minor",
    name: "Net worth",
    colour: "var(--primary)",
    width: 3,
    dash: undefined,
  },
  { key: "assets_minor", name: "Assets", colour: "var(--success)", width: 2, dash: "6 4" },
  { key: "liabilities_minor", name: "Debts", colour: "var(--danger)", width: 2, dash: undefined },
] as const;

const shortMonth = (month: string) => formatMonth(month, undefined, "short");

/** Month-end assets, debts and net worth; the same numbers are available as a table. */
export function NetWorthChart() {
  const household = useHousehold();
  const [months, setMonths] = useState(12);
  const report = useNetWorth(household.id, months);
  const currency = household.currency;
  const points = report.data?.months ?? [];

  return (
    <Card
      title="Net worth over time"
      action={
        <SelectField
          label="Period shown"
          hideLabel
          value={months}
          onChange={(event) => setMonths(Number(event.target.value))}
          className="w-auto"
        >
          {RANGES.map((range) => (
            <option key={range.months} value={range.months}>
              {range.label}
            </option>
          ))}
        </SelectField>
      }
    >
      {report.isPending ? <Spinner label="Loading net worth" /> : null}
      {report.isError ? <Alert>{report.error.message}</Alert> : null}
      {report.isSuccess ? (
        <>
          <p className="mb-3 text-sm text-muted">
            {describeNetWorth(points, currency, (month) => formatMonth(month))}
          </p>
          <div aria-hidden="true">
            <LineChart
              responsive
              style={{ width: "100%", height: 256 }}
              data={points}
              margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
              accessibilityLayer={false}
            >
              <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" vertical={false} />
              <XAxis
                dataKey="month"
                tickFormatter={shortMonth}
                stroke="var(--muted)"
                tick={{ fill: "var(--muted)", fontSize: 12 }}
                minTickGap={16}
              />
              <YAxis
                tickFormatter={(value: number) => formatWholeMoney(value, currency)}
                stroke="var(--muted)"
                tick={{ fill: "var(--muted)", fontSize: 12 }}
                width={88}
              />
              <Tooltip
                formatter={(value) => formatMoney(Number(value), currency)}
                labelFormatter={(label) => formatMonth(String(label))}
                contentStyle={{
                  background: "var(--card)",
                  border: "1px solid var(--border)",
                  color: "var(--fg)",
                  borderRadius: 6,
                }}
                labelStyle={{ color: "var(--fg)", fontWeight: 600 }}
              />
              <Legend wrapperStyle={{ color: "var(--fg)", fontSize: 13 }} />
              {SERIES.map((series) => (
                <Line
                  key={series.key}
                  type="linear"
                  dataKey={series.key}
                  name={series.name}
                  stroke={series.colour}
                  strokeWidth={series.width}
                  strokeDasharray={series.dash}
                  dot={false}
                  isAnimationActive={false}
                />
              ))}
            </LineChart>
          </div>
          {report.data.excluded_account_ids.length > 0 ? (
            <p className="mt-2 text-xs text-muted">
              {report.data.excluded_account_ids.length === 1
                ? "One account is"
                : `${report.data.excluded_account_ids.length} accounts are`}{" "}
              in another currency and not included.
            </p>
          ) : null}
          <ChartDataTable
            summary="Show the numbers as a table"
            caption="Assets, debts and net worth at the end of each month"
            labelHeader="Month"
            columns={["Assets", "Debts", "Net worth"]}
            emphasiseLast
            rows={points.map((point) => ({
              key: point.month,
              label: formatMonth(point.month),
              values: [
                <Amount key="assets" minor={point.assets_minor} currency={currency} />,
                <Amount key="debts" minor={point.liabilities_minor} currency={currency} />,
                <Amount key="net" minor={point.net_worth_minor} currency={currency} />,
              ],
            }))}
          />
        </>
      ) : null}
    </Card>
  );
}
