// The app as a student uses it: opens with the bundled demo selected, the config form comes from the
// schema, links carry the whole setup (and a broken one is explained), and Train runs the demo offline.
import { test, expect } from '@playwright/test';

test.beforeEach(async ({ page }) => {
  // offline: any request that leaves localhost fails
  await page.route(/^https?:\/\/(?!localhost)/, (r) => r.abort());
});

test('opens with the demo preset and model selected; the form is generated from the schema', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('preset')).toHaveValue('demo');
  await expect(page.getByTestId('model-id')).toHaveValue('demo');
  await expect(page.getByTestId('memory')).toContainText('Estimated GPU memory');
  await page.getByRole('button', { name: 'Config' }).click();
  const form = page.getByTestId('config-form');
  await expect(form.getByLabel('num_generations')).toHaveValue('8');
  await expect(form.getByText('G: completions sampled per prompt (the group).')).toBeVisible();
  await form.getByLabel('num_generations').fill('1');
  await form.getByLabel('num_generations').dispatchEvent('change');
  await expect(form.getByRole('alert')).toContainText('num_generations >= 2');
});

test('a link reproduces the setup; a malformed link is explained and the form kept', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Config' }).click();
  const lr = page.getByTestId('config-form').getByLabel('learning_rate');
  await lr.fill('0.0007');
  await lr.dispatchEvent('change');
  await page.getByTestId('copy-link').click();
  const link = await page.getByTestId('link').inputValue();
  expect(link).toContain('#run=v1.');
  const other = await page.context().newPage();
  await other.goto(link);
  await other.getByRole('button', { name: 'Config' }).click();
  await expect(other.getByTestId('config-form').getByLabel('learning_rate')).toHaveValue('0.0007');
  await other.goto('/#run=v1.broken!!');
  await expect(other.getByTestId('link-error')).toContainText('damaged');
  await expect(other.getByTestId('config-form').getByLabel('learning_rate')).toHaveValue('0.0007'); // kept
});

test('Train runs the bundled demo model without the network, with charts, samples and evaluation', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Config' }).click();
  const form = page.getByTestId('config-form');
  for (const [k, v] of [['max_steps', '2'], ['prompts_per_step', '2'], ['eval_examples', '8'], ['num_generations', '4']]) {
    await form.getByLabel(k, { exact: true }).fill(v);
    await form.getByLabel(k, { exact: true }).dispatchEvent('change');
  }
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-state')).toHaveText(/^(done|error)$/, { timeout: 300_000 });
  expect(await page.getByTestId('run-state').textContent(), await page.getByTestId('run-error').textContent().catch(() => '')).toBe('done');
  await expect(page.getByTestId('step')).toHaveText('step 2/2');
  await expect(page.getByTestId('chart-reward')).toContainText('reward:');
  await page.getByRole('button', { name: 'Samples' }).click();
  await expect(page.getByTestId('samples').locator('tbody tr').first()).toContainText('What is');
  await page.getByRole('button', { name: 'Evaluation' }).click();
  await expect(page.getByTestId('eval-baseline')).toBeVisible();
  await expect(page.getByTestId('eval-current')).toContainText('2');
});
