// The app as a student uses it: opens with the bundled demo selected, the config form comes from the
// schema, links carry the whole setup (and a broken one is explained), and a real demo run trains in the
// page with charts updating, pause/resume, samples, evaluation and exports. Screenshots of every screen
// go to test-results/screens/ for a person to look at.
import { test, expect, type Page } from '@playwright/test';
import fs from 'node:fs';
import { configGroups } from '../src/ui/config/fields.ts';
import { applies } from '../src/ui/config/applies.ts';
import { presetConfig } from '../src/engine/presets.ts';
import { configField, setField } from './config-form.ts';
import { openDemo, SHORT_RUN, watchPage } from './demo-run.ts';

const SCREENS = 'test-results/screens';

watchPage(test); // offline, and no uncaught error in the page

async function shot(page: Page, name: string) {
  fs.mkdirSync(SCREENS, { recursive: true });
  await page.screenshot({ path: `${SCREENS}/${name}.png`, fullPage: true });
}

test('opens with the demo preset and model; the form has every field of the schema, with help, defaults and inline problems', async ({
  page,
}) => {
  await page.goto('/');
  await expect(page.getByTestId('preset')).toHaveValue('demo');
  await expect(page.getByTestId('model-id')).toHaveValue('demo');
  await expect(page.getByTestId('memory')).toContainText('Estimated GPU memory');
  // on a machine without a GPU, Chromium's adapter is SwiftShader, and the page says what that means
  const swiftshader = await page.evaluate(async () => {
    const a = await (navigator as Navigator & { gpu: GPU }).gpu.requestAdapter();
    return /swiftshader/i.test(`${a?.info?.architecture} ${a?.info?.description}`);
  });
  if (swiftshader) await expect(page.getByTestId('software-adapter')).toContainText('runs WebGPU on the CPU');
  else await expect(page.getByTestId('software-adapter')).toHaveCount(0);
  await shot(page, '1-model');
  // a model that cannot run is refused before any download, with the reason, and Train is disabled
  await page.getByTestId('model-id').fill('not a model');
  await expect(page.getByTestId('model-refusal')).toContainText('is not a model');
  await page.getByRole('tab', { name: 'Run' }).click();
  await expect(page.getByTestId('train')).toBeDisabled();
  await expect(page.getByTestId('run-panel').getByRole('alert').first()).toContainText('The model cannot run here');
  await page.getByRole('tab', { name: 'Model' }).click();
  await page.getByTestId('model-id').fill('demo');
  await expect(page.getByTestId('model-refusal')).toHaveCount(0);
  await page.getByRole('tab', { name: 'Config' }).click();
  const form = page.getByTestId('config-form');
  // every field of every group, in Basic or an Advanced section, with its help (those that do not apply
  // to the demo setup are named as not used instead; e2e/config-form.spec.ts checks them one by one)
  await form.locator('details').evaluateAll((ds) => ds.forEach((d) => ((d as HTMLDetailsElement).open = true)));
  for (const g of configGroups())
    for (const f of g.fields) {
      const path = `${g.group}.${f.key}`;
      if (!applies(path, presetConfig('demo'))) continue;
      await expect(form.locator(`[data-field="${path}"]`), path).toBeVisible();
      if (f.help) await expect(form.getByText(f.help, { exact: false }).first()).toBeVisible();
    }
  await expect(await configField(page, 'num_generations')).toHaveValue('8');
  await expect(form.getByText('G: completions sampled per prompt (the group).')).toContainText('default 8; 1 to 256');
  await setField(page, 'num_generations', '1');
  await expect(form.getByRole('alert').first()).toContainText('num_generations >= 2');
  await shot(page, '3-config-invalid');
  await page.getByTestId('preset').selectOption('1h');
  await expect(await configField(page, 'num_generations')).toHaveValue('8');
  await expect(await configField(page, 'model.id')).toHaveValue('Qwen/Qwen2.5-0.5B-Instruct');
});

test('a link reproduces the setup; a malformed link is explained and the form kept', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('tab', { name: 'Config' }).click();
  await setField(page, 'learning_rate', '0.0007');
  await setField(page, 'run.seed', '5');
  await page.getByTestId('copy-link').click();
  const link = await page.getByTestId('link').inputValue();
  expect(link).toContain('#run=v1.');
  const other = await page.context().newPage();
  await other.goto(link);
  await expect(other.getByTestId('link-status')).toContainText('Opened the setup from the link');
  await other.getByRole('tab', { name: 'Config' }).click();
  await expect(await configField(other, 'learning_rate')).toHaveValue('0.0007');
  await expect(await configField(other, 'run.seed')).toHaveValue('5');
  await other.goto('/#run=v1.broken!!');
  await expect(other.getByTestId('link-error')).toContainText('damaged');
  await expect(await configField(other, 'learning_rate')).toHaveValue('0.0007'); // kept
  await shot(other, '9-link-error');
});

test('a demo run in the page: charts update, pause and resume, a sample, evaluation, exports and the link', async ({
  page,
}) => {
  test.setTimeout(900_000); // SwiftShader on a shared CPU: a 3-step run with two evaluations takes minutes
  await openDemo(page, SHORT_RUN);
  await page.getByRole('tab', { name: 'Data and reward' }).click();
  await page.getByRole('button', { name: 'Demo arithmetic' }).click();
  await expect(page.getByTestId('dataset-status')).toContainText('demo-arithmetic');
  await shot(page, '2-data-reward');
  await page.getByRole('tab', { name: 'Run' }).click();
  await page.getByTestId('train').click();
  // charts update as steps arrive
  await expect(page.getByTestId('step')).toHaveText('step 1/3', { timeout: 400_000 });
  await expect(page.getByTestId('last-reward')).not.toHaveText('–');
  await page.getByTestId('pause').click();
  await expect(page.getByTestId('run-state')).toHaveText('paused', { timeout: 120_000 });
  const pausedAt = await page.getByTestId('step').textContent();
  await page.waitForTimeout(1000);
  await expect(page.getByTestId('step')).toHaveText(pausedAt!); // a paused run does not step
  await page.getByTestId('resume').click();
  await expect(page.getByTestId('run-state')).toHaveText(/^(done|error)$/, { timeout: 400_000 });
  const err = (await page.getByTestId('run-error').allTextContents()).join('\n');
  expect(await page.getByTestId('run-state').textContent(), err).toBe('done');
  await expect(page.getByTestId('step')).toHaveText('step 3/3');
  await expect(page.getByTestId('chart-reward')).toBeVisible();
  await expect(page.getByTestId('step-view').getByTestId('step-row')).toHaveCount(4);
  await page.getByTestId('diagnostics').locator('summary').click();
  await expect(page.getByTestId('chart-loss')).toBeVisible();
  await expect(page.getByTestId('hist-advantages')).toContainText('n=8');
  await shot(page, '4-run');

  await page.getByRole('tab', { name: 'Samples' }).click();
  await expect(page.getByTestId('samples').locator('tbody tr').first()).toContainText('What is');
  await page
    .getByTestId('samples')
    .getByRole('button', { name: /^Open completion 1 of step/ })
    .first()
    .click();
  const detail = page.getByTestId('sample-detail');
  await expect(detail).toContainText('math');
  await shot(page, '5-samples');
  // a modal dialog: in view, focus inside it, Escape closes it and focus goes back to its "Open"
  await expect(detail).toBeInViewport();
  await expect(detail.getByRole('button', { name: 'Close the completion' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(detail).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Open completion 1 of step/ }).first()).toBeFocused();

  await page.getByRole('tab', { name: 'Evaluation' }).click();
  await expect(page.getByTestId('eval-baseline')).toBeVisible();
  await expect(page.getByTestId('eval-current')).toContainText('3');
  await expect(page.getByTestId('eval-examples').locator('tbody tr')).toHaveCount(4);
  await expect(page.getByTestId('run-comparison')).toContainText('demo-arithmetic');
  await shot(page, '6-evaluation');

  await page.getByRole('tab', { name: 'Checkpoints' }).click();
  const zip = page.waitForEvent('download');
  await page.getByTestId('export-adapter').click();
  const adapter = await (await zip).path();
  const bytes = fs.readFileSync(adapter);
  expect(bytes.subarray(0, 2).toString()).toBe('PK');
  expect(bytes.includes(Buffer.from('adapter/adapter_config.json'))).toBe(true);
  const jsonl = page.waitForEvent('download');
  await page.getByTestId('export-jsonl').click();
  const lines = fs
    .readFileSync(await (await jsonl).path(), 'utf8')
    .trim()
    .split('\n');
  expect(lines.length).toBeGreaterThanOrEqual(3);
  expect(JSON.parse(lines[0])).toHaveProperty('reward');
  const csv = page.waitForEvent('download');
  await page.getByTestId('export-csv').click();
  expect(fs.readFileSync(await (await csv).path(), 'utf8').split('\n')[0]).toContain('reward');
  await expect(page.getByTestId('checkpoints').locator('tbody tr').first()).toContainText('demo');
  await shot(page, '7-checkpoints');

  // the share link opens the same config in a new page
  await page.getByTestId('copy-link').click();
  const link = await page.getByTestId('link').inputValue();
  const other = await page.context().newPage();
  await other.goto(link);
  await other.getByRole('tab', { name: 'Config' }).click();
  for (const [k, v] of [
    ['max_steps', '3'],
    ['eval_examples', '4'],
    ['num_generations', '4'],
    ['save_steps', '1'],
  ]) {
    await expect(await configField(other, k)).toHaveValue(v);
  }
});
