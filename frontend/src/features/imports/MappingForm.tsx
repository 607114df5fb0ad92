"use client";

import { useState, type FormEvent } from "react";

import { Button } from "@/components/ui/Button";
import { SelectField, TextField } from "@/components/ui/Field";

import type { Import, ImportOptions } from "./api";

type ColumnField =
  | "date_column"
  | "amount_column"
  | "inflow_column"
  | "outflow_column"
  | "payee_column"
  | "memo_column";

const COLUMN_FIELDS: Array<[ColumnField, string]> = [
  ["date_column", "Date column"],
  ["amount_column", "Amount column"],
  ["inflow_column", "Money in column"],
  ["outflow_column", "Money out column"],
  ["payee_column", "Payee column"],
  ["memo_column", "Memo column"],
];
// Where a field left empty means "no such column" rather than "detect it".
const OPTIONAL_COLUMNS = new Set<ColumnField>(["memo_column", "inflow_column", "outflow_column"]);
const DELIMITERS: Array<[string, string]> = [
  [",", "Comma"],
  [";", "Semicolon"],
  ["\t", "Tab"],
  ["|", "Pipe"],
];

function columnIndex(value: unknown): string {
  return typeof value === "number" ? String(value) : "";
}

/** The CSV mapping that was detected, to correct: the file is read again with it. */
export function MappingForm({
  item,
  busy,
  onSubmit,
}: {
  item: Import;
  busy: boolean;
  onSubmit: (options: ImportOptions) => void;
}) {
  const mapping = item.mapping ?? {};
  const [columns, setColumns] = useState<Record<ColumnField, string>>({
    date_column: columnIndex(mapping.date_column),
    amount_column: columnIndex(mapping.amount_column),
    inflow_column: columnIndex(mapping.inflow_column),
    outflow_column: columnIndex(mapping.outflow_column),
    payee_column: columnIndex(mapping.payee_column),
    memo_column: columnIndex(mapping.memo_column),
  });
  const [dateFormat, setDateFormat] = useState(
    typeof mapping.date_format === "string" ? mapping.date_format : "",
  );
  const [decimal, setDecimal] = useState(
    mapping.decimal_separator === "," ? "," : mapping.decimal_separator === "." ? "." : "",
  );
  const [invert, setInvert] = useState(mapping.invert_sign === true);
  const [delimiter, setDelimiter] = useState(
    typeof mapping.delimiter === "string" ? mapping.delimiter : "",
  );
  const formats = Array.from(
    new Set([...item.date_format_candidates, dateFormat, "%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y"]),
  ).filter(Boolean);

  function submit(event: FormEvent) {
    event.preventDefault();
    const options: ImportOptions = { invert_sign: invert };
    if (delimiter) options.delimiter = delimiter;
    for (const [field] of COLUMN_FIELDS)
      if (columns[field] !== "") options[field] = Number(columns[field]);
    // Separate money in and out columns replace the one signed amount.
    if (options.inflow_column !== undefined || options.outflow_column !== undefined)
      delete options.amount_column;
    if (dateFormat) options.date_format = dateFormat;
    if (decimal === "," || decimal === ".") options.decimal_separator = decimal;
    onSubmit(options);
  }

  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label="CSV mapping"
      className="flex flex-col gap-2 rounded-md border border-border p-3"
    >
      <p className="text-sm font-medium">Columns</p>
      <div className="grid grid-cols-2 gap-2 sm:grid-cols-3">
        {COLUMN_FIELDS.map(([field, label]) => (
          <SelectField
            key={field}
            label={label}
            value={columns[field]}
            onChange={(event) => setColumns({ ...columns, [field]: event.target.value })}
          >
            <option value="">{OPTIONAL_COLUMNS.has(field) ? "None" : "Detect"}</option>
            {item.columns.map((name, index) => (
              <option key={index} value={String(index)}>
                {name || `Column ${index + 1}`}
              </option>
            ))}
          </SelectField>
        ))}
      </div>
      <div className="grid grid-cols-2 gap-2 sm:grid-cols-4">
        <SelectField
          label="Delimiter"
          value={delimiter}
          onChange={(event) => setDelimiter(event.target.value)}
        >
          <option value="">Detect</option>
          {DELIMITERS.map(([value, label]) => (
            <option key={label} value={value}>
              {label}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Date format"
          value={dateFormat}
          onChange={(event) => setDateFormat(event.target.value)}
        >
          {formats.map((format) => (
            <option key={format} value={format}>
              {format}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Decimal separator"
          value={decimal}
          onChange={(event) => setDecimal(event.target.value)}
        >
          <option value="">Detect</option>
          <option value=".">Point (1,234.56)</option>
          <option value=",">Comma (1.234,56)</option>
        </SelectField>
        <TextField
          label="Money out is positive"
          type="checkbox"
          checked={invert}
          onChange={(event) => setInvert(event.target.checked)}
          className="h-5 w-5"
        />
      </div>
      <Button type="submit" variant="secondary" size="sm" className="self-start" busy={busy}>
        Re-read the file
      </Button>
    </form>
  );
}
