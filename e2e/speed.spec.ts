// The Model tab's predicted time: a few seconds of the real kernels on this browser's adapter at the chosen
// model's widths, measured once (then kept in IndexedDB for this adapter and model shape), turned into the
// time of a step and of the run, and recomputed without measuring again when the config changes.
import { test, expect, type Page } from '@playwright/test';
import { setField } from './config-form.ts';

const runSeconds = async (page: Page) => {
  const text = (await page.getByTestId('time-prediction').textContent()) ?? '';
  return text.replace(/\s+/g, ' ');
};

test('the Model tab predicts the demo run on this adapter, follows the config, and keeps the measurement', async ({
  page,
}) => {
  await page.goto('/');
  await expect(page.getByTestId('model-id')).toHaveValue('demo');
  await expect(page.getByTestId('time-prediction')).toHaveCount(0);
  await page.getByTestId('measure-speed').click();
  const shown = page.getByTestId('time-prediction');
  await expect(shown).toContainText(/Predicted: \S+ (s|min)[^.]* a step, .+ for the run \(30 steps and 3 evaluations/, {
    timeout: 180_000,
  });
  const before = await runSeconds(page);
  // more steps: the run's time grows, computed from the same measurement
  await page.getByRole('tab', { name: 'Config' }).click();
  await setField(page, 'max_steps', '300');
  await page.getByRole('tab', { name: 'Model' }).click();
  await expect(shown).toContainText('(300 steps and');
  expect(await runSeconds(page)).not.toBe(before);
  // kept per adapter and model shape: a new page shows it without measuring
  await page.reload();
  await expect(page.getByTestId('time-prediction')).toContainText(/Predicted: .+ a step, .+ for the run/, {
    timeout: 60_000,
  });
  await expect(page.getByTestId('measure-speed')).toHaveCount(0);
});
