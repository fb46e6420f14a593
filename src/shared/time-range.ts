/**
 * Time ranges that hold no instant at all. A filter with one is a client's mistake (a swapped
 * pair, an off-by-one), not a question whose answer is "nobody": the timeline's range and the
 * people filter's createdAt/updatedAt refuse it with the same message.
 */

/** A bound of a range, named as the client named it. */
export interface TimeBound {
  name: string;
  at: Date | null | undefined;
  /** True when the bound's own instant is inside the range (after, before). */
  inclusive: boolean;
}

/**
 * Why the range between these lower and upper bounds is empty, as a message naming the first two
 * bounds that exclude each other; undefined when some instant satisfies all of them.
 */
export function emptyTimeRange(lower: readonly TimeBound[], upper: readonly TimeBound[]): string | undefined {
  for (const start of lower) {
    if (!start.at) continue;
    for (const end of upper) {
      if (!end.at) continue;
      const bothInclusive = start.inclusive && end.inclusive;
      const gap = end.at.getTime() - start.at.getTime();
      if (bothInclusive ? gap >= 0 : gap > 0) continue;
      const relation = bothInclusive ? 'must not be later than' : 'must be earlier than';
      return `${start.name} (${start.at.toISOString()}) ${relation} ${end.name} (${end.at.toISOString()}).`;
    }
  }
  return undefined;
}

/** The bounds of seed 002's ranges (the people filter's createdAt/updatedAt, the notes filter's createdAt). */
export interface AfterBeforeRange {
  after?: Date | null;
  strictlyAfter?: Date | null;
  before?: Date | null;
  strictlyBefore?: Date | null;
}

/** emptyTimeRange for a seed 002 range. */
export function emptyAfterBeforeRange(range: AfterBeforeRange): string | undefined {
  return emptyTimeRange(
    [
      { name: 'after', at: range.after, inclusive: true },
      { name: 'strictlyAfter', at: range.strictlyAfter, inclusive: false },
    ],
    [
      { name: 'before', at: range.before, inclusive: true },
      { name: 'strictlyBefore', at: range.strictlyBefore, inclusive: false },
    ],
  );
}
