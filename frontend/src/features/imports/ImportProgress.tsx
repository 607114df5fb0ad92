import { isWorking, type Import } from "./api";

/** The worker's progress on a big file; nothing once it is done. */
export function ImportProgress({ item }: { item: Import }) {
  if (!isWorking(item)) return null;
  const percent = Math.round(item.progress * 100);
  return (
    <div className="mt-1 flex items-center gap-2 text-sm text-muted">
      <progress
        className="h-2 w-48"
        max={100}
        value={percent}
        aria-label={item.status === "parsing" ? "Reading the file" : "Importing"}
      />
      <span>{percent}%</span>
    </div>
  );
}
