// `webgrpo bench --browser`: the same benchmark in headless Chromium on the built lab page (its WebGPU: the
// real GPU where Chromium has one, SwiftShader on a CPU-only machine), printing the same JSON as in Node.
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, ensureBuilt, findChromium, serveStatic } from './browser.ts';

export async function benchInBrowser(
  shape: string,
  overrides: Record<string, unknown>,
  log: (m: string) => void,
): Promise<unknown> {
  const dist = ensureBuilt(log);
  const server = await serveStatic(dist);
  const browser = await chromium.launch({ executablePath: findChromium(), headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => log(`[page] ${m.text()}`));
    await page.goto(`${server.url}/lab.html`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
    return await page.evaluate(
      ([s, o]) => {
        const lab = (globalThis as unknown as { webgrpoLab: Record<string, (...x: unknown[]) => Promise<unknown>> })
          .webgrpoLab;
        return lab.engineBench(s, o);
      },
      [shape, overrides] as const,
    );
  } finally {
    await browser.close();
    await server.close();
  }
}
