import type { ReactNode } from "react";

import { cn } from "./cn";

export interface ChartDataRow {
  key: string;
  /** The row's label (a month, a category), read out as the row header. */
  label: ReactNode;
  /** One cell per value column, in the order of `columns`. */
  values: ReactNode[];
}

/**
 * A chart's numbers as a table behind a disclosure: the text alternative for people who cannot
 * see the chart, and the exact figures for anyone who wants them. The value columns are
 * right-aligned amounts; the last one is emphasised when `emphasiseLast` is set (a total).
 */
export function ChartDataTable({
  summary,
  caption,
  labelHeader,
  columns,
  rows,
  emphasiseLast = false,
}: {
  summary: string;
  caption: string;
  labelHeader: string;
  columns: string[];
  rows: ChartDataRow[];
  emphasiseLast?: boolean;
}) {
  return (
    <details className="mt-3 text-sm">
      <summary className="flex min-h-11 cursor-pointer items-center font-medium">{summary}</summary>
      <div className="overflow-x-auto">
        <table className="w-full">
          <caption className="sr-only">{caption}</caption>
          <thead>
            <tr className="border-b border-border text-left text-muted">
              <th scope="col" className="py-2 pr-3 font-medium">
                {labelHeader}
              </th>
              {columns.map((column, index) => (
                <th
                  key={column}
                  scope="col"
                  className={cn(
                    "py-2 text-right font-medium",
                    index < columns.length - 1 && "pr-3",
                  )}
                >
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key} className="border-b border-border last:border-0">
                <th scope="row" className="py-1.5 pr-3 text-left font-normal">
                  {row.label}
                </th>
                {row.values.map((value, index) => {
                  const last = index === row.values.length - 1;
                  return (
                    <td
                      key={columns[index] ?? index}
                      className={cn(
                        "py-1.5 text-right",
                        !last && "pr-3",
                        last && emphasiseLast && "font-medium",
                      )}
                    >
                      {value}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
