// Helpers for e2e specs that call functions of the lab page (lab.html) and serve local files to it.
import type { Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Hugging Face fixtures: every model folder with a reference under $WEBGRPO_FIXTURES or fixtures/hf-tiny. */
export const FIXTURE_ROOT =
  process.env.WEBGRPO_FIXTURES ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/hf-tiny');
export const FIXTURE_DIRS = fs.existsSync(FIXTURE_ROOT)
  ? fs.readdirSync(FIXTURE_ROOT).filter((d) => fs.existsSync(path.join(FIXTURE_ROOT, d, 'reference.json')))
  : [];

export async function openLab(page: Page): Promise<void> {
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`[page] ${m.text()}`);
  });
  await page.goto('/lab.html');
  await page.waitForSelector('body[data-ready="1"]');
}

/** The lab page with the fixtures served at /fixtures/<model>/ (what the lab's loadFixture reads). */
export async function openLabWithFixtures(page: Page): Promise<void> {
  await serveDir(page, 'fixtures', FIXTURE_ROOT);
  await openLab(page);
}

export async function callLab<T>(page: Page, fn: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(
    ([f, a]) => {
      const lab = (globalThis as unknown as { webgrpoLab: Record<string, (...x: unknown[]) => unknown> }).webgrpoLab;
      if (!lab[f as string]) throw new Error(`lab has no function ${f}`);
      return lab[f as string](...(a as unknown[]));
    },
    [fn, args] as const,
  ) as Promise<T>;
}

/** Serves the files of a local folder at http://localhost:4173/<prefix>/... (a stand-in for the Hub or a CDN). */
export async function serveDir(page: Page, prefix: string, dir: string): Promise<void> {
  await page.route(`**/${prefix}/**`, async (route) => {
    const url = new URL(route.request().url());
    const rel = decodeURIComponent(url.pathname.slice(url.pathname.indexOf(`/${prefix}/`) + prefix.length + 2));
    const file = path.join(dir, rel);
    if (!file.startsWith(dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory())
      return route.fulfill({ status: 404, body: 'not found' });
    await route.fulfill({ status: 200, body: fs.readFileSync(file), headers: { 'access-control-allow-origin': '*' } });
  });
}
