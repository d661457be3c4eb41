import { test, expect } from '@playwright/test';
import { openLab, callLab } from './lab.ts';

test('the lab page gets a WebGPU adapter', async ({ page }) => {
  await openLab(page);
  const info = await callLab<{ available: boolean; maxBufferSize: number }>(page, 'webgpuInfo');
  console.log('WebGPU adapter:', JSON.stringify(info));
  expect(info.available).toBe(true);
  expect(info.maxBufferSize).toBeGreaterThan(1 << 20);
});
