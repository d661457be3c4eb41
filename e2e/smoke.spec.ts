import { test, expect } from '@playwright/test';

test('the app loads and sees WebGPU', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'webgrpo' })).toBeVisible();
  await expect(page.getByTestId('webgpu-status')).toHaveText('WebGPU available');
});

test('a first visit: nothing missing (the favicon is served), the Run screen says what will appear', async ({
  page,
}) => {
  await page.route(/^https?:\/\/(?!localhost)/, (r) => r.abort());
  const missing: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) missing.push(`${r.status()} ${r.url()}`);
  });
  await page.goto('/');
  await expect(page.getByTestId('webgpu-status')).toBeVisible();
  expect((await page.request.get('/favicon.svg')).ok()).toBe(true);
  await page.getByRole('tab', { name: 'Run' }).click();
  // before a run: the run's length from the form (not "step 0/0"), G in words, empty charts that say what comes
  await expect(page.getByTestId('step')).toHaveText(/^step 0\/[1-9]\d*$/);
  await expect(page.getByTestId('step-empty')).toContainText(/with the \d+ answers the model wrote/);
  await expect(page.getByTestId('chart-empty-reward')).toContainText('after the first step');
  await expect(page.getByTestId('chart-empty-accuracy')).toContainText('after the first evaluation');
  // the diagnostics start folded
  expect(await page.getByTestId('diagnostics').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
  expect(missing).toEqual([]);
});
