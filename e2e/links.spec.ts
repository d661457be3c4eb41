// Link fuzzing: 500 random or mutated run links, opened one after another in the app, never crash it and
// always get an answer on the page: either the setup is applied or the page explains what is wrong with
// the link (and the form keeps its settings).
import { test, expect } from '@playwright/test';
import zlib from 'node:zlib';
import { configField } from './config-form.ts';

/** A deterministic generator, so a failing case can be replayed from its index. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const b64url = (b: Buffer) => b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const pack = (json: string) => `v1.${b64url(zlib.deflateRawSync(Buffer.from(json)))}`;

const VALID = [
  {},
  { run: { max_steps: 7 } },
  { sampling: { temperature: 0.5, num_generations: 4 } },
  { optim: { learning_rate: 3e-4, lr_scheduler_type: 'cosine' } },
  { lora: { r: 4, target_modules: ['q_proj', 'v_proj'] } },
];
// Well-formed links whose config breaks the schema, each naming a field.
const INVALID = [
  { sampling: { num_generations: 1 } },
  { grpo: { epsilon: 0.3, epsilon_high: 0.1 } },
  { run: { max_steps: -3 } },
  { optim: { lr_scheduler_type: 'sawtooth' } },
  { lora: { r: 'big' } },
  { rewards: [] },
  { run: { mode: 'sft_then_grpo' } },
  [1, 2, 3],
  'a string',
  null,
  { sampling: { top_p: 0 } },
  { lora: { target_modules: ['nope'] } },
];
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~!*()%+=/?&#';

function makeLinks(n: number): string[] {
  const r = rng(42);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const rand = (len: number) => Array.from({ length: len }, () => ALPHABET[Math.floor(r() * ALPHABET.length)]).join('');
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const base = pack(JSON.stringify(pick(VALID)));
    const kind = i % 8;
    if (kind === 0) out.push(pack(JSON.stringify(pick(INVALID))));
    else if (kind === 1)
      out.push(base.slice(0, 3 + Math.floor(r() * (base.length - 3)))); // cut when copied
    else if (kind === 2) {
      const at = 3 + Math.floor(r() * (base.length - 3));
      out.push(base.slice(0, at) + rand(1) + base.slice(at + 1));
    } // one character changed
    else if (kind === 3)
      out.push(`v${Math.floor(r() * 9)}.${rand(10 + Math.floor(r() * 60))}`); // unknown version, random data
    else if (kind === 4)
      out.push(rand(Math.floor(r() * 80))); // anything at all
    else if (kind === 5)
      out.push(`v1.${b64url(Buffer.from(rand(40)))}`); // not deflate
    else if (kind === 6)
      out.push(pack(rand(30))); // deflate of non-JSON
    else out.push(base); // a good link
  }
  return out;
}

test('500 random or mutated links never crash the app and are always applied or explained', async ({ page }) => {
  test.setTimeout(300_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/');
  await expect(page.getByTestId('model-panel')).toBeVisible();
  const links = makeLinks(500);
  let applied = 0,
    explained = 0;
  for (const [i, token] of links.entries()) {
    // A unique marker makes each hash new (the same link twice fires no hashchange) and lets the page's
    // answer be matched to this link; the app ignores what follows the token's '&'.
    const hash = `run=${token}&n=${i}`;
    await page.evaluate((h) => {
      location.hash = h;
    }, hash);
    const answer = page
      .locator(`[data-testid="link-status"], [data-testid="link-error"], [data-testid="custom-code-confirm"]`)
      .first();
    await expect(answer, `link ${i}: ${token}`).toBeVisible();
    const handled = await page
      .waitForFunction(
        (n) => {
          const el = document.querySelector('[data-token]');
          return el && el.getAttribute('data-token')!.endsWith(`&n=${n}`)
            ? { ok: el.getAttribute('data-testid') === 'link-status', text: el.textContent ?? '' }
            : null;
        },
        i,
        { timeout: 10_000 },
      )
      .then((h) => h.jsonValue())
      .catch(() => null);
    expect(handled, `link ${i} got no answer: ${token}`).not.toBeNull();
    if (handled!.ok) applied++;
    else {
      explained++;
      expect(handled!.text, `link ${i}`).toMatch(/could not be opened: .{10,}The form keeps its current settings/s);
    }
  }
  expect(pageErrors).toEqual([]);
  expect(applied).toBeGreaterThan(50);
  expect(explained).toBeGreaterThan(300);
  // The app still works: the form is there and edits apply.
  await page.getByRole('tab', { name: 'Config' }).click();
  await expect(await configField(page, 'max_steps')).toBeVisible();
});

test('a link with an invalid field names the field and keeps the form', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('tab', { name: 'Config' }).click();
  const steps = await configField(page, 'max_steps');
  await steps.fill('17');
  await steps.dispatchEvent('change');
  await page.evaluate(
    (h) => {
      location.hash = h;
    },
    `run=${pack(JSON.stringify({ grpo: { epsilon: 0.3, epsilon_high: 0.1 } }))}`,
  );
  await expect(page.getByTestId('link-error')).toContainText('grpo.epsilon_high');
  await expect(steps).toHaveValue('17');
});

test('a link that inflates to 100 MB is refused at the cap, and the app goes on', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await page.getByRole('tab', { name: 'Config' }).click();
  const bomb = `v1.${b64url(zlib.deflateRawSync(Buffer.alloc(100 * 1024 * 1024, 32), { level: 9 }))}`;
  expect(bomb.length).toBeLessThan(200 * 1024);
  await page.evaluate((h) => {
    location.hash = h;
  }, `run=${bomb}`);
  await expect(page.getByTestId('link-error')).toContainText('inflates to more than 2 MB');
  await expect(await configField(page, 'max_steps')).toBeVisible();
  expect(errors).toEqual([]);
});
