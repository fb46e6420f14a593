/**
 * The rule a merge keeps one row by where people may each have one (a tag, a field's value, a
 * group's membership): the first person in merge order that has one wins, the primary first, then
 * the others in the order given. Answers, for each other person, the keys of the rows to move
 * from them to the primary; the rest go with the merged-away people.
 */
export function firstHolders<Row extends { personId: string }>(
  rows: readonly Row[],
  key: (row: Row) => string,
  primaryId: string,
  otherIds: readonly string[],
): Map<string, string[]> {
  const holder = new Map<string, string>();
  for (const personId of [primaryId, ...otherIds]) {
    for (const row of rows) {
      if (row.personId === personId && !holder.has(key(row))) holder.set(key(row), personId);
    }
  }
  const moves = new Map<string, string[]>();
  for (const [rowKey, personId] of holder) {
    if (personId !== primaryId) moves.set(personId, [...(moves.get(personId) ?? []), rowKey]);
  }
  return moves;
}
