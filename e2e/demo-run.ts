// The demo setup the app's specs train with, opened from a run link (the same link a user shares), so the
// specs do not depend on how the Config form lays out its fields, plus the page-error watch they all use.
//
//   await openDemo(page, SHORT_RUN);                       // 3 steps of 2 prompts x 4 completions
//   await openDemo(page, { max_steps: 30 }, { present: true }) // the demo preset in presenter mode
import { expect, type Page, type test as baseTest } from '@playwright/test';
import { encodeLink, withPresenter } from '../src/engine/link.ts';
import { presetConfig } from '../src/engine/presets.ts';
import type { RunConfig } from '../src/engine/config.ts';

/** A demo run of minutes on SwiftShader: 3 steps of 2 prompts x 4 completions, 4 evaluation questions. */
export const SHORT_RUN = {
  run: { max_steps: 3, prompts_per_step: 2, eval_examples: 4, eval_steps: 0, save_steps: 1 },
  sampling: { num_generations: 4 },
};

export interface DemoChanges {
  run?: Partial<RunConfig['run']>;
  sampling?: Partial<RunConfig['sampling']>;
  grpo?: Partial<RunConfig['grpo']>;
}

/** The link to the demo preset with these changes (presenter mode with `present`). */
export async function demoLink(changes: DemoChanges, o: { present?: boolean } = {}): Promise<string> {
  const cfg = presetConfig('demo');
  Object.assign(cfg.run, changes.run);
  Object.assign(cfg.sampling, changes.sampling);
  Object.assign(cfg.grpo, changes.grpo);
  const link = await encodeLink(cfg, 'http://localhost/');
  return withPresenter(link.slice('http://localhost'.length), !!o.present);
}

/** Opens the app on the demo setup with these changes, and waits until the link is applied. */
export async function openDemo(page: Page, changes: DemoChanges, o: { present?: boolean } = {}): Promise<void> {
  await page.goto(await demoLink(changes, o));
  await expect(page.getByTestId('link-status')).toContainText('Opened the setup from the link');
}

/** Offline (any request leaving localhost fails), and no uncaught error in the page. */
export function watchPage(test: typeof baseTest): void {
  let pageErrors: string[] = [];
  test.beforeEach(async ({ page }) => {
    await page.route(/^https?:\/\/(?!localhost)/, (r) => r.abort());
    pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });
  test.afterEach(() => expect(pageErrors).toEqual([]));
}
