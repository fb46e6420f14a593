/**
 * Prisma's `contains`, `startsWith`, `endsWith` and insensitive `equals` become LIKE/ILIKE
 * patterns on PostgreSQL and pass the client's text through as it is, so `%` and `_` would match
 * anything and `\` would escape the next character. Every such filter takes its text through
 * here: each of the three is escaped with a backslash (PostgreSQL's default LIKE escape), so it
 * matches itself.
 */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/**
 * For `string_contains` on a jsonb column, which Prisma matches against the value's JSON text
 * (`value::text LIKE ...`, the string with its quotes and escapes): the text as it appears inside
 * a JSON string (PostgreSQL and JSON.stringify escape the same characters the same way), then
 * made literal.
 */
export function jsonStringLikeLiteral(text: string): string {
  return likeLiteral(JSON.stringify(text).slice(1, -1));
}
