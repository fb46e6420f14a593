import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { root } from './server-process.ts';

/** README.md and every page of docs/, as paths from the repository's root. */
export function documentationFiles(): string[] {
  const pages = readdirSync(path.join(root, 'docs')).filter((name) => name.endsWith('.md'));
  return ['README.md', ...pages.sort().map((name) => `docs/${name}`)];
}

export function readDocument(file: string): string {
  return readFileSync(path.join(root, file), 'utf8');
}

/** The text of a section of a Markdown file, from its `## ` heading to the next one. */
export function documentSection(file: string, heading: string): string {
  const text = readDocument(file);
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`${file} has no section "## ${heading}"`);
  const next = text.indexOf('\n## ', start + 1);
  return text.slice(start, next < 0 ? undefined : next);
}

/** The fenced code blocks of a section in a language (sh, graphql, json, ts, …), in order. */
export function codeBlocks(section: string, language: string): string[] {
  const fence = new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'gm');
  return [...section.matchAll(fence)].map((match) => match[1]!);
}

/** The lines of a Markdown text that are prose: fenced code blocks blanked, so that a `# comment` in a shell block is no heading. */
function proseLines(markdown: string): string[] {
  let inFence = false;
  return markdown.split('\n').map((line) => {
    if (/^\s*```/.test(line)) {
      inFence = !inFence;
      return '';
    }
    return inFence ? '' : line;
  });
}

/**
 * The anchors GitHub gives a Markdown file's headings: the heading's text as rendered, lower-cased,
 * without punctuation but hyphens and underscores, spaces made hyphens; a repeated one gets `-1`, `-2`, ….
 */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(markdown)) {
    const heading = /^#{1,6} (.*)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const rendered = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
    const slug = rendered
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replaceAll(' ', '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The targets of a Markdown text's links that stay in the repository (no scheme), outside code. */
export function relativeLinks(markdown: string): string[] {
  const prose = proseLines(markdown)
    .join('\n')
    .replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z][a-z+.-]*:/i.test(target));
}

/** Where a link of a file leads: the target file from the repository's root, and its anchor. */
export function linkTarget(file: string, link: string): { file: string; anchor?: string } {
  const [target, anchor] = link.split('#') as [string, string | undefined];
  const resolved = target === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), target));
  return anchor === undefined ? { file: resolved } : { file: resolved, anchor };
}

/** A file's text with each relative link written from the repository's root, so that texts of two files compare. */
export function withLinksFromRoot(file: string, markdown: string): string {
  return markdown.replace(/\]\(([^)\s]+)\)/g, (whole, link: string) => {
    if (/^[a-z][a-z+.-]*:/i.test(link)) return whole;
    const { file: target, anchor } = linkTarget(file, link);
    return `](/${target}${anchor === undefined ? '' : `#${anchor}`})`;
  });
}

/** The rows of the Markdown tables in a text, by the text of their first cell. */
export function tableRows(markdown: string): Map<string, string> {
  const rows = proseLines(markdown).filter((line) => line.startsWith('| ') && !line.startsWith('| ---'));
  return new Map(rows.map((row) => [row.split(' | ')[0]!.slice(2), row]));
}

/** The paths under src/ and test/ that a text names in inline code (`src/db/prisma.ts`, `test/http/`). */
export function sourcePaths(markdown: string): string[] {
  return [...proseLines(markdown).join('\n').matchAll(/`((?:src|test)\/[^`\s]*)`/g)].map((match) => match[1]!);
}
