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

  // each chosen environment's options are labelled fields made from its schema, with the JSON as a fallback
  const grid = page.getByTestId('env-options-grid_world');
  const size = grid.getByLabel(/^Size/);
  await expect(size).toHaveAttribute('type', 'number');
  await expect(size).toHaveAttribute('max', '8');
  await expect(grid.getByText(/squares along each side of a room \(default 5\)/)).toBeVisible();
  await size.fill('12');
  await size.press('Tab');
  await expect(grid.getByRole('alert')).toContainText('Too big: expected number to be <=8');
  await size.fill('4');
  await size.press('Tab');
  await expect(grid.getByRole('alert')).toHaveCount(0);
  await grid.getByLabel(/^Missions/).fill('["go_to"]');
  await grid.getByLabel(/^Missions/).press('Tab');
  await grid.getByText('Options as JSON').click();
  await expect(grid.getByTestId('env-json-grid_world')).toHaveValue(/"size": 4,\s*"missions": \[\s*"go_to"\s*\]/);
  await grid.getByTestId('env-json-grid_world').fill('{"rooms": 1, "size": 3}');
  await grid.getByTestId('env-json-grid_world').press('Tab');
  await expect(grid.getByLabel(/^Rooms/)).toHaveValue('1');
  await expect(size).toHaveValue('3');
  await expect(page.getByTestId('env-options-crafting').getByLabel(/^Max depth/)).toHaveAttribute('max', '4');

  // the config now plays environments: the Config tab has their section, and the demo's 6-token
  // completions cannot hold a 64-token turn, which the form says with a link to the field
  await page.getByRole('tab', { name: 'Config' }).click();
  await expect(page.getByText(/^Environments \(6 settings, with a problem\)/)).toBeVisible();
  await expect(page.getByRole('link', { name: 'Tokens per model turn' })).toBeVisible();
  await expect(page.getByText(/max_turn_tokens \(64\) is above sampling.max_completion_length \(6\)/)).not.toHaveCount(
    0,
  );

  await page.getByRole('tab', { name: 'Data and reward' }).click();
  await page.getByTestId('env-picker').getByTestId('source-dataset').check();
  await expect(page.getByTestId('env-picker').getByTestId('env-grid_world')).not.toBeChecked();
  await expect(page.getByTestId('reward-list')).toBeVisible();
});
