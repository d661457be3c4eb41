// An imported PEFT adapter trained further, as a user does it: in the app (Checkpoints: import a zip, then
// "Train from this adapter") and with `webgrpo train --adapter DIR`. The new run's step-0 evaluation is the
// adapter's own (the same accuracy as the run that made it, at its end), its LoRA section is the adapter's,
// and a config that sets it otherwise is refused naming the field.
import { test, expect, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { configField, setField } from './config-form.ts';

let pageErrors: string[] = [];
test.beforeEach(async ({ page }) => {
  await page.route(/^https?:\/\/(?!localhost)/, (r) => r.abort());
  pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
});
test.afterEach(() => {
  expect(pageErrors).toEqual([]);
});

async function download(page: Page, testId: string): Promise<Buffer> {
  const d = page.waitForEvent('download');
  await page.getByTestId(testId).click();
  return fs.readFileSync((await (await d).path())!);
}

const adapterConfig = (zip: Buffer) => {
  const files = unzipSync(new Uint8Array(zip));
  const name = Object.keys(files).find((k) => k.endsWith('adapter_config.json'))!;
  return JSON.parse(strFromU8(files[name])) as Record<string, unknown>;
};

async function waitDone(page: Page) {
  await page.getByRole('tab', { name: 'Run' }).click();
  await expect(page.getByTestId('run-state')).toHaveText(/^(done|error)$/, { timeout: 400_000 });
  expect(
    await page.getByTestId('run-state').textContent(),
    await page.getByTestId('run-error').allTextContents().then(String),
  ).toBe('done');
}

const evalRow = async (page: Page, name: 'baseline' | 'current') => {
  await page.getByRole('tab', { name: 'Evaluation' }).click();
  return (await page.getByTestId(`eval-${name}`).locator('td').allTextContents()).map((s) => s.trim());
};

test('the app: import an adapter zip, then train it further from its own weights and shape', async ({ page }) => {
  test.setTimeout(900_000);
  await page.goto('/');
  await page.getByRole('tab', { name: 'Config' }).click();
  for (const [k, v] of [
    ['max_steps', '1'],
    ['prompts_per_step', '2'],
    ['num_generations', '4'],
    ['eval_examples', '8'],
    ['eval_steps', '0'],
    ['lora.r', '4'],
  ])
    await setField(page, k, v);
  await page.getByRole('tab', { name: 'Run' }).click();
  await page.getByTestId('train').click();
  await waitDone(page);
  const [, step, accuracy] = await evalRow(page, 'current');
  expect(step).toBe('1');

  await page.getByRole('tab', { name: 'Checkpoints' }).click();
  const zip = await download(page, 'export-adapter');
  expect(adapterConfig(zip).r).toBe(4);
  // the form now asks for another rank: training from the adapter sets it back to the adapter's
  await page.getByRole('tab', { name: 'Config' }).click();
  await setField(page, 'lora.r', '8');
  await page.getByRole('tab', { name: 'Checkpoints' }).click();
  await page
    .getByTestId('import-adapter')
    .setInputFiles({ name: 'mine.zip', mimeType: 'application/zip', buffer: zip });
  await expect(page.getByTestId('notice')).toContainText(`mine.zip: accuracy ${accuracy}`, { timeout: 300_000 });
  await page.getByRole('button', { name: 'Train from this adapter' }).click();
  await waitDone(page);
  const baseline = await evalRow(page, 'baseline');
  expect(baseline.slice(1, 3)).toEqual(['0', accuracy]); // step 0: the adapter as it was imported
  await page.getByRole('tab', { name: 'Config' }).click();
  await expect(await configField(page, 'lora.r')).toHaveValue('4');
  await page.getByRole('tab', { name: 'Checkpoints' }).click();
  await expect(page.getByTestId('checkpoints').locator('tbody tr')).toHaveCount(2);
  const again = adapterConfig(await download(page, 'export-adapter'));
  expect(again.r).toBe(4);
});

const BIN = path.resolve('bin/webgrpo.mjs');
const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `webgrpo-${name}-`));
const train = (args: string[]) =>
  spawnSync(process.execPath, [BIN, 'train', ...args], { encoding: 'utf8', timeout: 540_000 });
const summary = (out: string) => JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));

test('webgrpo train --adapter DIR starts from the adapter; a conflicting lora section is refused', async () => {
  const dir = tmp('adapter-cfg');
  const common = {
    model: { id: 'demo' },
    sampling: { num_generations: 4, max_completion_length: 5 },
    data: { dataset: 'demo-arithmetic', template: 'plain' },
    rewards: [{ name: 'math', weight: 1 }],
    optim: { learning_rate: 2e-3 },
    run: { max_steps: 2, prompts_per_step: 2, micro_batch_size: 8, eval_examples: 8, save_steps: 1, seed: 3 },
  };
  fs.writeFileSync(path.join(dir, 'first.json'), JSON.stringify({ ...common, lora: { r: 4, alpha: 8 } }));
  fs.writeFileSync(path.join(dir, 'next.json'), JSON.stringify({ ...common, run: { ...common.run, seed: 4 } }));
  fs.writeFileSync(path.join(dir, 'clash.json'), JSON.stringify({ ...common, lora: { alpha: 16 } }));
  const first = tmp('first'),
    next = tmp('next');
  const a = train(['--config', path.join(dir, 'first.json'), '--out', first]);
  expect(a.status, a.stderr).toBe(0);
  const adapter = path.join(first, 'adapter');
  const clash = train(['--config', path.join(dir, 'clash.json'), '--adapter', adapter, '--out', tmp('clash')]);
  expect(clash.status).not.toBe(0);
  expect(clash.stderr).toMatch(/lora\.alpha: 16 in --config \S+clash\.json, but the adapter's alpha is 8/);
  const b = train(['--config', path.join(dir, 'next.json'), '--adapter', adapter, '--steps', '1', '--out', next]);
  expect(b.status, b.stderr).toBe(0);
  // step 0 of the new run evaluates the adapter the first run ended with: the same answers, the same accuracy
  expect(summary(next).baseline_eval.accuracy).toBe(summary(first).final_eval.accuracy);
  expect(JSON.parse(fs.readFileSync(path.join(next, 'config.json'), 'utf8')).lora).toMatchObject({ r: 4, alpha: 8 });
  const back = JSON.parse(fs.readFileSync(path.join(next, 'adapter', 'adapter_config.json'), 'utf8'));
  expect(back).toMatchObject({ r: 4, lora_alpha: 8 });
  const both = train(['--resume', '--adapter', adapter, '--out', next]);
  expect(both.status).not.toBe(0);
  expect(both.stderr).toMatch(/--adapter starts a new run/);
});
