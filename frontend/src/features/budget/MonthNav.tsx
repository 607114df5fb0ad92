import { Button } from "@/components/ui/Button";
import { addMonths, currentMonth, formatMonth } from "@/lib/dates";

/** Previous / this / next month; the month itself lives in the URL (?month=YYYY-MM). */
export function MonthNav({
  month,
  onChange,
}: {
  month: string;
  onChange: (month: string) => void;
}) {
  const thisMonth = currentMonth();
  return (
    <nav aria-label="Month" className="flex items-center gap-1">
      <Button
        variant="secondary"
        onClick={() => onChange(addMonths(month, -1))}
        aria-label={`Previous month, ${formatMonth(addMonths(month, -1))}`}
      >
        <span aria-hidden>‹</span>
      </Button>
      <Button
        variant="secondary"
        onClick={() => onChange(thisMonth)}
        disabled={month === thisMonth}
      >
        This month
      </Button>
      <Button
        variant="secondary"
        onClick={() => onChange(addMonths(month, 1))}
        aria-label={`Next month, ${formatMonth(addMonths(month, 1))}`}
      >
        <span aria-hidden>›</span>
      </Button>
    </nav>
  );
}
