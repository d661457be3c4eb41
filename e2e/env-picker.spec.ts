// The Data screen's choice between a dataset with rewards and environments: the list comes from the
// worker's environment registry; choosing environments fills config.environment and puts the reward list
// away (environments give the rewards), choosing the dataset again brings a reward back.
import { test, expect } from '@playwright/test';
import { watchPage } from './demo-run.ts';

watchPage(test);

test('environments chosen on the Data screen instead of a dataset', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('tab', { name: 'Data and reward' }).click();
  const picker = page.getByTestId('env-picker');
  await expect(picker.getByTestId('source-dataset')).toBeChecked();
  await expect(picker.getByTestId('env-grid_world')).toBeVisible(); // listed by the worker
  await expect(picker.getByTestId('env-crafting')).toBeVisible();
  await expect(page.getByTestId('reward-list')).toBeVisible();

  await picker.getByTestId('env-grid_world').check();
  await picker.getByTestId('env-crafting').check();
  await expect(picker.getByTestId('source-dataset')).not.toBeChecked();
  await expect(page.getByTestId('env-status')).toContainText('Episodes of grid_world, crafting');
  await expect(page.getByTestId('reward-list')).toHaveCount(0);

  // the config now plays environments: the Config tab has their section, and the demo's 6-token
  // completions cannot hold a 64-token turn, which the form says with a link to the field
  await page.getByRole('tab', { name: 'Config' }).click();
  await expect(page.getByText(/^Environments \(4 settings, with a problem\)/)).toBeVisible();
  await expect(page.getByRole('link', { name: 'Tokens per model turn' })).toBeVisible();
  await expect(page.getByText(/max_turn_tokens \(64\) is above sampling.max_completion_length \(6\)/)).not.toHaveCount(
    0,
  );

  await page.getByRole('tab', { name: 'Data and reward' }).click();
  await page.getByTestId('env-picker').getByTestId('source-dataset').check();
  await expect(page.getByTestId('env-picker').getByTestId('env-grid_world')).not.toBeChecked();
  await expect(page.getByTestId('reward-list')).toBeVisible();
});
