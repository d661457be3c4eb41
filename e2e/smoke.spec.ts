import { test, expect } from '@playwright/test';

test('the app loads and sees WebGPU', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'webgrpo' })).toBeVisible();
  await expect(page.getByTestId('webgpu-status')).toHaveText('WebGPU available');
});
