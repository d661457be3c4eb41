// The engine's CLI commands, run as a user runs them (the real `webgrpo` binary).
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fixtureDirs, loadReference, rows, maxAbsDiff } from '../engine/fixtures.ts';

const bin = path.resolve(__dirname, '../../bin/webgrpo.mjs');
const webgrpo = (...args: string[]) => execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
const dir = fixtureDirs()[0];

describe('webgrpo logits / generate', () => {
  const ref = loadReference(dir);
  const ids = rows(ref.t.get('input_ids')!),
    mask = rows(ref.t.get('attention_mask')!);

  it('logits prints [B, T, V] JSON matching the reference', () => {
    const out = JSON.parse(
      webgrpo(
        'logits',
        '--model',
        dir,
        '--ids',
        ids.map((r) => r.join(',')).join(';'),
        '--mask',
        mask.map((r) => r.join(',')).join(';'),
      ),
    );
    expect(out).toHaveLength(2);
    expect(maxAbsDiff(out[0].flat(), ref.t.get('logits')!.data.subarray(0, out[0].flat().length))).toBeLessThan(1e-4);
  });

  it('generate --greedy prints the reference greedy tokens', () => {
    const prompt = rows(ref.t.get('greedy_prompt')!)[0],
      want = rows(ref.t.get('greedy_tokens')!)[0];
    const out = JSON.parse(
      webgrpo(
        'generate',
        '--model',
        dir,
        '--ids',
        prompt.join(','),
        '--max-new-tokens',
        String(want.length),
        '--greedy',
        '--eos',
        '999',
      ),
    );
    expect(out).toEqual([want]);
    const lora = JSON.parse(
      webgrpo(
        'generate',
        '--model',
        dir,
        '--lora',
        path.join(dir, 'lora'),
        '--ids',
        prompt.join(','),
        '--max-new-tokens',
        '4',
        '--temperature',
        '0.8',
        '--seed',
        '3',
      ),
    );
    expect(lora[0]).toHaveLength(4);
  });

  it('bad input ends with a non-zero exit and a one-line reason', () => {
    const r = spawnSync(process.execPath, [bin, 'logits', '--model', dir, '--ids', '1,x'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/"x" is not a non-negative integer/);
    const r2 = spawnSync(process.execPath, [bin, 'logits', '--model', '/nonexistent', '--ids', '1'], {
      encoding: 'utf8',
    });
    expect(r2.stderr).toMatch(/no config.json/);
  });
});

describe('webgrpo bench', () => {
  it('runs the demo shape on WASM with fewer layers, gradient checkpointing and 16-bit weights, printing its settings', () => {
    const out = JSON.parse(
      webgrpo(
        'bench',
        '--json',
        '--shape',
        'demo',
        '--backend',
        'wasm',
        '--layers',
        '2',
        '--checkpoint',
        '--new-tokens',
        '2',
        '--train-rows',
        '4',
        '--weight-dtype',
        'stored',
      ),
    );
    expect(out).toMatchObject({
      weight_dtype: 'stored',
      backend: 'wasm',
      shape: 'demo',
      layers: 2,
      gradient_checkpointing: true,
      fused: false,
      tiled_kernels: false,
    });
    expect(out.train_step_s).toBeGreaterThan(0);
    expect(out.train_peak_tensor_bytes).toBeGreaterThan(out.weights_bytes);
    expect(out.train_peak_gpu_bytes).toBeNull(); // WASM allocates no GPU buffers
  }, 120_000);

  it('refuses bad flags with the reason', () => {
    for (const [args, why] of [
      [['--layers', '0'], /--layers 0: expected a positive integer/],
      [['--kernels', 'fast'], /--kernels fast: choose tiled or tfjs/],
      [['--weight-dtype', 'f16'], /--weight-dtype f16: choose stored/],
    ] as const) {
      const r = spawnSync(process.execPath, [bin, 'bench', ...args], { encoding: 'utf8' });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(why);
    }
  });
});
