// The Config tab as a form for people: Basic holds what most runs change, Advanced the rest in closed
// sections; every field of the schema is reachable (shown exactly when it applies to the setup, named
// under its section otherwise); switching the estimator or the loss swaps the fields; a reward's options
// are fields generated from its schema (the format reward's pattern only with its regex style); the problems at the top link to their fields; and on a 390 px
// phone nothing is wider than the screen.
import { test, expect, type Page } from '@playwright/test';
import { configField, setField } from './config-form.ts';
import { PLACES } from '../src/ui/config/layout.ts';
import { applies } from '../src/ui/config/applies.ts';
import { presetConfig } from '../src/engine/presets.ts';

let pageErrors: string[] = [];
test.beforeEach(async ({ page }) => {
  await page.route(/^https?:\/\/(?!localhost)/, (r) => r.abort());
  pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
});
test.afterEach(() => expect(pageErrors).toEqual([]));

const BASIC = [
  ['model.id', 'Model'],
  ['data.dataset', 'Dataset'],
  ['rewards.0.name', 'Reward 1'],
  ['rewards.0.weight', 'Weight'],
  ['run.max_steps', 'Steps'],
  ['sampling.num_generations', 'Completions per prompt'],
  ['optim.learning_rate', 'Learning rate'],
  ['sampling.max_completion_length', 'Completion length (tokens)'],
];

async function openConfig(page: Page) {
  await page.goto('/');
  await page.getByRole('tab', { name: 'Config' }).click();
  return page.getByTestId('config-form');
}

test('Basic shows the basic fields; every schema field is reachable, shown exactly when it applies', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const form = await openConfig(page);
  for (const [path, label] of BASIC) {
    const f = form.locator(`[data-field="${path}"]`);
    await expect(f, path).toBeVisible();
    await expect(f, path).toHaveAccessibleName(new RegExp(`^${label.replace(/[()]/g, '\\$&')}`));
  }
  // the TRL name beside the words, in small type
  await expect(form.locator('label[for="f-sampling-num_generations"] small')).toHaveText('num_generations');
  await expect(form.locator('label[for="f-model-id"] small')).toHaveText('id · TRL model_name_or_path');
  await expect(form.locator('#f-rewards-0-options-strict')).toBeVisible(); // the reward's own options
  // Advanced starts closed
  await expect(form.locator('[data-field="grpo.advantage_estimator"]')).toBeHidden();
  await form.locator('details').evaluateAll((ds) => ds.forEach((d) => ((d as HTMLDetailsElement).open = true)));
  const config = presetConfig('demo');
  let shown = 0;
  for (const key of Object.keys(PLACES)) {
    const path = key.replace(/^rewards\./, 'rewards.0.');
    const control =
      path === 'rewards.0.options' ? form.locator('#f-rewards-0-options') : form.locator(`[data-field="${path}"]`);
    if (applies(path, config)) {
      await expect(control, path).toBeVisible();
      shown++;
    } else {
      await expect(control, path).toHaveCount(0);
      await expect(form.getByText(path, { exact: true }), `${path} named as not used`).toBeVisible();
    }
  }
  expect(shown).toBeGreaterThan(60);
});

test('switching the estimator and the loss swaps their fields', async ({ page }) => {
  const form = await openConfig(page);
  const estimator = await configField(page, 'grpo.advantage_estimator');
  const ppo = ['grpo.vf_coef', 'grpo.cliprange_value', 'grpo.gamma', 'grpo.lam'];
  for (const p of ppo) await expect(form.locator(`[data-field="${p}"]`), p).toHaveCount(0);
  await expect(form.locator('[data-field="grpo.scale_rewards"]')).toBeVisible();
  await estimator.selectOption('ppo');
  for (const p of ppo) await expect(form.locator(`[data-field="${p}"]`), p).toBeVisible();
  await expect(form.locator('[data-field="grpo.scale_rewards"]')).toHaveCount(0);
  await expect(form.getByTestId('not-applicable-estimator')).toContainText('grpo.scale_rewards');
  await expect(form.getByTestId('not-applicable-estimator')).toContainText('grpo.vineppo_k');
  await estimator.selectOption('vineppo');
  await expect(form.locator('[data-field="grpo.vineppo_k"]')).toBeVisible();
  await expect(form.locator('[data-field="grpo.vf_coef"]')).toHaveCount(0);

  const lossType = await configField(page, 'grpo.loss_type');
  await expect(form.locator('[data-field="grpo.sapo_temperature_pos"]')).toHaveCount(0);
  await lossType.selectOption('sapo');
  await expect(form.locator('[data-field="grpo.sapo_temperature_pos"]')).toBeVisible();
  await expect(form.locator('[data-field="grpo.epsilon"]')).toHaveCount(0);
  await expect(form.locator('[data-field="grpo.epsilon_high"]')).toHaveCount(0);
  await expect(form.locator('[data-field="grpo.delta"]')).toHaveCount(0);
  // the sections opened stay open while another tab is shown
  await page.getByRole('tab', { name: 'Run' }).click();
  await page.getByRole('tab', { name: 'Config' }).click();
  await expect(form.locator('[data-field="grpo.sapo_temperature_pos"]')).toBeVisible();
  await expect(form.locator('[data-field="sampling.top_p"]')).toBeHidden();
});

test("a reward's options are its own generated fields, and the problems link to their fields", async ({ page }) => {
  const form = await openConfig(page);
  await expect(form.getByTestId('config-problems')).toHaveCount(0);
  // a yes/no option, as a box, lands in the config the Data tab shows too
  await form.getByLabel('Strict').check();
  await form.locator('#f-rewards-0-options-mode').selectOption('number');
  await page.getByRole('tab', { name: 'Data and reward' }).click();
  await expect(page.getByTestId('reward-list').getByLabel('Strict')).toBeChecked();
  await expect(page.getByTestId('reward-list').getByLabel('Mode')).toHaveValue('number');
  await page.getByRole('tab', { name: 'Config' }).click();
  // a format reward brings its own fields; its regex style needs a pattern, said at the field
  await page.locator('#add-reward').selectOption('format');
  await form.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(form.locator('#f-rewards-1-options-pattern')).toHaveCount(0); // read only with style regex
  await form.locator('#f-rewards-1-options-style').selectOption('regex');
  await expect(form.getByTestId('config-reward-1').getByRole('alert')).toContainText('needs a pattern');
  await form.locator('#f-rewards-1-options-pattern').fill('^\\d+$');
  await form.locator('#f-rewards-1-options-pattern').dispatchEvent('change');
  await expect(form.getByTestId('config-reward-1').getByRole('alert')).toHaveCount(0);

  // invalid values: a negative tolerance, and a top-p of 0 inside a closed Advanced section
  await form.locator('#f-rewards-0-options-tolerance').fill('-1');
  await form.locator('#f-rewards-0-options-tolerance').dispatchEvent('change');
  await setField(page, 'sampling.top_p', '0');
  await form.locator('details').evaluateAll((ds) => ds.forEach((d) => ((d as HTMLDetailsElement).open = false)));
  await page.evaluate(() => scrollTo(0, 0));
  const summary = form.getByTestId('config-problems');
  await expect(summary).toContainText('2 problems');
  await expect(summary.getByRole('link', { name: 'Reward 1 (math): Tolerance' })).toBeVisible();
  await summary.getByRole('link', { name: 'Top-p (nucleus)' }).click();
  const topP = form.locator('[data-field="sampling.top_p"]');
  await expect(topP).toBeFocused();
  await expect(topP).toBeInViewport();
  await expect(form.locator('details[data-section="sampling"]')).toHaveAttribute('open', '');
  await topP.fill('0.9');
  await topP.dispatchEvent('change');
  await summary.getByRole('link', { name: 'Reward 1 (math): Tolerance' }).click();
  await expect(form.locator('#f-rewards-0-options-tolerance')).toBeFocused();
  await form.locator('#f-rewards-0-options-tolerance').fill('');
  await form.locator('#f-rewards-0-options-tolerance').dispatchEvent('change');
  await expect(summary).toHaveCount(0);
});

test('on a 390 px phone the Config tab is no wider than the screen', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const form = await openConfig(page);
  await form.locator('details').evaluateAll((ds) => ds.forEach((d) => ((d as HTMLDetailsElement).open = true)));
  await setField(page, 'sampling.num_generations', '1'); // a long problem message too
  const wide = await form.evaluate((el) =>
    [el, ...el.querySelectorAll('*')]
      .filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5)
      .map((e) => `${e.tagName}#${e.id}.${e.className}`),
  );
  expect(wide).toEqual([]);
  const box = await form.locator('[data-field="sampling.num_generations"]').boundingBox();
  expect(box!.height).toBeGreaterThanOrEqual(32);
});
