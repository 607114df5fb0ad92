/**
 * Split arithmetic, in integer minor units only. A split's lines must add up to the
 * transaction's amount exactly (the API refuses anything else), so the form shows what is left
 * to assign and refuses to submit until it is zero.
 */

/** The API accepts at most this many lines on one transaction. */
export const MAX_SPLIT_LINES = 100;

export type SplitProblem =
  | { kind: "too_few_lines" }
  | { kind: "too_many_lines" }
  | { kind: "missing_amount"; index: number }
  | { kind: "zero_line"; index: number }
  | { kind: "not_balanced"; remainingMinor: number };

function assertMinor(value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not an integer amount: ${value}`);
}

/** What is still to assign: the total minus the lines entered so far (negative when over). */
export function remainingToSplit(totalMinor: number, lineMinors: readonly number[]): number {
  assertMinor(totalMinor);
  let remaining = totalMinor;
  for (const line of lineMinors) {
    assertMinor(line);
    remaining -= line;
  }
  return remaining;
}

/**
 * Everything that stops a split from being saved; empty when it can be. `null` stands for a
 * line whose amount is empty or could not be read.
 */
export function validateSplit(
  totalMinor: number,
  lineMinors: readonly (number | null)[],
): SplitProblem[] {
  const problems: SplitProblem[] = [];
  if (lineMinors.length < 2) problems.push({ kind: "too_few_lines" });
  if (lineMinors.length > MAX_SPLIT_LINES) problems.push({ kind: "too_many_lines" });
  lineMinors.forEach((line, index) => {
    if (line === null) problems.push({ kind: "missing_amount", index });
    else if (line === 0) problems.push({ kind: "zero_line", index });
  });
  const entered = lineMinors.filter((line): line is number => line !== null);
  const remainingMinor = remainingToSplit(totalMinor, entered);
  if (remainingMinor !== 0) problems.push({ kind: "not_balanced", remainingMinor });
  return problems;
}

/** The amount that would make line `index` close the split exactly (the rest left as they are). */
export function amountThatBalances(
  totalMinor: number,
  lineMinors: readonly (number | null)[],
  index: number,
): number {
  const others = lineMinors.filter((line, at): line is number => at !== index && line !== null);
  return remainingToSplit(totalMinor, others);
}
