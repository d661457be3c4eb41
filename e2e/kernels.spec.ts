// The fused WebGPU kernels in Chromium: every Ops implementation against the reference op by op (values,
// gradients, AdamW); decode-step logits of the fused path against the op-by-op forward (base model and
// PEFT adapter, left-padded rows) within 1e-4, greedy tokens identical to the Hugging Face reference with
// fusion on and off; then the bench with and without fusion, printing the speed ratios.
import { test, expect } from '@playwright/test';
import { openLab, openLabWithFixtures, callLab, FIXTURE_DIRS as dirs } from './lab.ts';

for (const d of dirs) {
  test(`${d}: fused decode logits within 1e-4 of the op-by-op path, greedy tokens as HF's`, async ({ page }) => {
    await openLabWithFixtures(page);
    const r = await callLab<Record<string, number | boolean | string>>(page, 'kernelParity', `/fixtures/${d}`);
    console.log(d, JSON.stringify(r));
    expect(r.backend).toBe('webgpu');
    expect(r.baseErr as number).toBeLessThan(1e-4);
    expect(r.loraErr as number).toBeLessThan(1e-4);
    expect(r.greedyFused).toBe(true);
    expect(r.greedyUnfused).toBe(true);
    expect(r.leaked).toBe(0);
  });
}

for (const d of dirs) {
  test(`${d}: fused training pass (tiled kernels, tfjs's, checkpointed): log-probabilities and entropies within 1e-4, every LoRA gradient within 1e-4 of its max-abs`, async ({
    page,
  }) => {
    await openLabWithFixtures(page);
    type E = { valueErr: number; gradErr: number };
    const r = await callLab<{ tiled: E; tfjs: E; checkpointed: E; leaked: number }>(
      page,
      'gradParity',
      `/fixtures/${d}`,
    );
    console.log(d, 'grads', JSON.stringify(r));
    for (const e of [r.tiled, r.tfjs, r.checkpointed]) {
      expect(e.valueErr).toBeLessThan(1e-4);
      expect(e.gradErr).toBeLessThan(1e-4);
    }
    expect(r.leaked).toBe(0);
  });
}

test('every Ops implementation against the reference, op by op: values within 1e-4, gradients within 1e-4 of their max-abs', async ({
  page,
}) => {
  await openLab(page);
  type E = { valueErr: number; gradErr: number };
  const r = await callLab<{ errs: Record<string, Record<string, E>>; leaked: number }>(page, 'opsParityOnWebGPU');
  console.log('ops', JSON.stringify(r));
  expect(Object.keys(r.errs)).toEqual(['reference, LM head in chunks', 'webgpu', 'tiled']);
  for (const [name, byOp] of Object.entries(r.errs)) {
    expect(Object.keys(byOp).length, name).toBe(5);
    for (const [op, e] of Object.entries(byOp)) {
      expect(e.valueErr, `${name}: ${op} values`).toBeLessThan(1e-4);
      expect(e.gradErr, `${name}: ${op} gradients`).toBeLessThan(1e-4);
    }
  }
  expect(r.leaked).toBe(0);
});

test('a kernel over more than 65,535 workgroups covers every row (two-dimensional dispatch)', async ({ page }) => {
  await openLab(page);
  const r = await callLab<{ rows: number; err: number; lastRow: number[]; leaked: number }>(page, 'largeDispatchCheck');
  console.log('large dispatch', JSON.stringify(r));
  expect(r.err).toBeLessThan(1e-5);
  expect(r.lastRow.every((v) => v > 0)).toBe(true);
  expect(r.leaked).toBe(0);
});

test('fused AdamW: parameters and moments within 1e-6 of optim.ts after three steps', async ({ page }) => {
  await openLab(page);
  const r = await callLab<{ err: number; steps: number[]; leaked: number }>(page, 'adamwParity');
  console.log('adamw', JSON.stringify(r));
  expect(r.err).toBeLessThan(1e-6);
  expect(r.steps).toEqual([3, 3]);
  expect(r.leaked).toBe(0);
});

test('bench --shape demo: fused vs op-by-op (ratios printed)', async ({ page }) => {
  await openLab(page);
  const small = { decode: { newTokens: 8 }, train: { rows: 4 } };
  type R = { fused: boolean; decode_step_ms: number; decode_tokens_per_s: number; train_step_s: number };
  const fused = await callLab<R>(page, 'engineBench', 'demo', { ...small, fused: true });
  const plain = await callLab<R>(page, 'engineBench', 'demo', { ...small, fused: false });
  console.log(
    `decode step: fused ${fused.decode_step_ms.toFixed(1)} ms, op-by-op ${plain.decode_step_ms.toFixed(1)} ms, ratio ${(plain.decode_step_ms / fused.decode_step_ms).toFixed(2)}x`,
  );
  console.log(
    `decode tokens/s (prefill included): fused ${fused.decode_tokens_per_s.toFixed(2)}, op-by-op ${plain.decode_tokens_per_s.toFixed(2)}, ratio ${(fused.decode_tokens_per_s / plain.decode_tokens_per_s).toFixed(2)}x`,
  );
  console.log(
    `train step: fused ${fused.train_step_s.toFixed(2)} s, op-by-op ${plain.train_step_s.toFixed(2)} s, ratio ${(plain.train_step_s / fused.train_step_s).toFixed(2)}x`,
  );
  expect(fused.fused).toBe(true);
  expect(plain.fused).toBe(false);
});
