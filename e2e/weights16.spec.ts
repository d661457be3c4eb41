// 16-bit weight storage in Chromium's WebGPU: on every fixture model, with its matrices rounded to bf16 or
// f16 (alternating by model to keep the time down: the formats differ in one unpack line) and kept packed,
// against the f32 model of the same values, with the tiled Ops and the webgpu Ops (fused decode in both):
// logits within 1e-4, greedy tokens equal, completion log-probabilities within 1e-4, every LoRA gradient
// within 1e-4 of its max-abs; the op-by-op reference on logits only (tests/engine/weights16.test.ts checks
// all of it on the CPU).
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import { openLab, openLabWithFixtures, callLab, serveDir, FIXTURE_DIRS as dirs } from './lab.ts';
import { writeSharded } from '../tests/engine/sharded-fixture.ts';

type P = { logitsErr: number; greedySame: boolean; sampleLogprobErr: number; valueErr: number; gradErr: number };

dirs.forEach((d, i) => {
  const format = i % 2 ? 'f16' : 'bf16';
  test(`${d}: ${format} weights kept 16-bit give the f32 model's logits, greedy tokens and LoRA gradients`, async ({
    page,
  }) => {
    await openLabWithFixtures(page);
    {
      const r = await callLab<{ paths: Record<string, P>; bytes16: number; bytes32: number; leaked: number }>(
        page,
        'weights16Parity',
        `/fixtures/${d}`,
        format,
      );
      console.log(d, format, JSON.stringify(r));
      expect(Object.keys(r.paths).sort()).toEqual(['op-by-op', 'tfjs', 'tiled']);
      expect(r.paths['op-by-op'].logitsErr).toBeLessThan(1e-4); // logits only here; all of it in Node
      for (const p of [r.paths.tiled, r.paths.tfjs]) {
        expect(p.logitsErr).toBeLessThan(1e-4);
        expect(p.greedySame).toBe(true);
        expect(p.sampleLogprobErr).toBeLessThan(1e-4);
        expect(p.valueErr).toBeLessThan(1e-4);
        expect(p.gradErr).toBeLessThan(1e-4);
      }
      expect(r.bytes16).toBeLessThan(0.55 * r.bytes32);
      expect(r.leaked).toBe(0);
    }
  });
});

test('a bf16 checkpoint in two shards streams onto the GPU packed ("stored") or widened there ("f32")', async ({
  page,
}) => {
  const dir = writeSharded();
  try {
    await serveDir(page, 'sharded', dir);
    await openLab(page);
    const r = await callLab<{
      packed: boolean;
      widened: boolean;
      valuesSame: boolean;
      logitsErr: number;
      leaked: number;
    }>(page, 'streamLoad16', '/sharded');
    console.log('streamed bf16 shards', JSON.stringify(r));
    expect(r).toEqual({ packed: true, widened: true, valuesSame: true, logitsErr: r.logitsErr, leaked: 0 });
    expect(r.logitsErr).toBeLessThan(1e-5);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
