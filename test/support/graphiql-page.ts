import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * GraphiQL in a real, headless Chromium (Debian's, at /usr/bin/chromium; .ci/run installs it),
 * driven the way a person would: the editors are Monaco, filled by pasting and typing.
 */
export interface Browser {
  page: Page;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'people-gateway-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
  // The editors are filled by pasting (typing would trigger Monaco's auto-closing brackets).
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    page,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

const editors = {
  operation: 'section.graphiql-query-editor .monaco-editor',
  headers: '.monaco-editor[data-uri$="request-headers.json"]',
  variables: '.monaco-editor[data-uri$="variables.json"]',
  result: 'section.graphiql-response .monaco-editor, [aria-label="Result Window"] .monaco-editor',
} as const;
export type Editor = keyof typeof editors;

/** Opens GraphiQL at the endpoint and waits until its editors are there. */
export async function openGraphiQL(page: Page, endpoint: string): Promise<void> {
  await page.goto(endpoint);
  await page.locator(editors.operation).waitFor();
  await page.locator(editors.headers).waitFor();
}

/**
 * An editor's whole text, copied out of it as a person would: what Monaco renders is only the
 * visible part, with long lines wrapped.
 */
export async function editorText(page: Page, editor: Editor): Promise<string> {
  await page.locator(editors[editor]).first().locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+C');
  return page.evaluate(() => navigator.clipboard.readText());
}

/** Replaces an editor's whole text, as a paste does. */
export async function setEditorText(page: Page, editor: Editor, text: string): Promise<void> {
  await page.locator(editors[editor]).first().locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.evaluate((value) => navigator.clipboard.writeText(value), text);
  await page.keyboard.press('ControlOrMeta+V');
}

/**
 * Replaces the operation and waits until GraphiQL has taken in its name (the active tab shows
 * it), so that the run button runs this operation and not the one before.
 */
export async function setOperation(page: Page, document: string, operationName: string): Promise<void> {
  await setEditorText(page, 'operation', document);
  await page.locator('.graphiql-tab-active', { hasText: operationName }).waitFor();
}

/** Types the key into the half-written `"Authorization": "Bearer "` the Headers pane opens with. */
export async function completeBearerKey(page: Page, apiKey: string): Promise<void> {
  await page.locator(editors.headers).locator('.view-line', { hasText: '"Bearer ' }).click();
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft'); // before the closing quote
  await page.keyboard.insertText(apiKey);
}

/** Presses GraphiQL's run button. */
export async function run(page: Page): Promise<void> {
  await page.locator('.graphiql-execute-button').click();
}

/**
 * Presses the run button on a subscription and waits until the server has answered its request:
 * the SSE response starts once the subscription listens, so an event after this is not missed.
 * (GraphiQL sends a subscription as a GET with the operation in the URL, Accept: text/event-stream.)
 */
export async function runSubscription(page: Page, operationName: string): Promise<void> {
  const answered = page.waitForResponse((response) => new URL(response.url()).searchParams.get('operationName') === operationName);
  await run(page);
  const response = await answered;
  const contentType = response.headers()['content-type'] ?? '';
  if (response.status() !== 200 || !contentType.startsWith('text/event-stream')) {
    throw new Error(`${operationName} was answered with ${response.status()} ${contentType}, not an event stream`);
  }
}

/** Waits until the result pane shows the text, then returns the result as JSON. */
export async function waitForResult(page: Page, expected: string): Promise<unknown> {
  await page.locator(editors.result).first().locator('.view-lines', { hasText: expected }).waitFor();
  return JSON.parse(await editorText(page, 'result')) as unknown;
}
