// Logits, LoRA logits and greedy decoding in Chromium's WebGPU against the Hugging Face fixtures
// (every model folder under $WEBGRPO_FIXTURES or fixtures/hf-tiny), served to the page by Playwright.
import { test, expect } from '@playwright/test';
import { openLab, openLabWithFixtures, callLab, FIXTURE_DIRS as dirs } from './lab.ts';

test('fixtures are present', () => {
  expect(dirs.length).toBeGreaterThan(0);
});

for (const d of dirs) {
  test(`${d}: WebGPU logits and LoRA logits within 1e-4, greedy tokens identical`, async ({ page }) => {
    await openLabWithFixtures(page);
    const r = await callLab<Record<string, number | boolean | string>>(page, 'engineParity', `/fixtures/${d}`);
    console.log(d, JSON.stringify(r));
    expect(r.backend).toBe('webgpu');
    expect(r.logitsErr as number).toBeLessThan(1e-4);
    expect(r.loraErr as number).toBeLessThan(1e-4);
    expect(r.greedyMatch).toBe(true);
    expect(r.leaked).toBe(0);
  });
}

test('the global gradient norm is right on WebGPU', async ({ page }) => {
  await openLab(page);
  expect(await callLab<number>(page, 'gradNormCheck')).toBeCloseTo(5, 4);
});

test('a policy step reports its loss, KL and entropy on WebGPU', async ({ page }) => {
  await openLab(page);
  const steps = await callLab<Record<string, number>[]>(page, 'policyStepCheck');
  console.log('policy steps', JSON.stringify(steps.map((m) => [m.loss, m.kl, m.entropy, m.grad_norm])));
  for (const m of steps) for (const k of ['loss', 'kl', 'entropy', 'grad_norm']) expect(m[k], k).toBeGreaterThan(0);
});
