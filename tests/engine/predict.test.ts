// The predicted run time (engine/predict.ts) from measured kernel times and a config, worked by hand, and the
// speed probe (engine/bench/probe.ts, worker/speed.ts) on the CPU backend: positive times, cached per key.
import { beforeAll, describe, expect, test } from 'vitest';
import { parseRunConfig } from '../../src/engine/config.ts';
import {
  evaluationCount,
  fitCallCost,
  formatDuration,
  predictRunTime,
  splitLayers,
  type SpeedProbe,
} from '../../src/engine/predict.ts';
import { initBackend } from '../../src/engine/backend.ts';
import { DEMO_SPEC } from '../../src/engine/model/demo-spec.ts';
import { speedKey, speedReport, type SpeedCache } from '../../src/worker/speed.ts';
import * as tf from '../../src/engine/tf.ts';

// round numbers, so every figure below can be checked by hand
const PROBE: SpeedProbe = {
  key: 'k',
  decode: { layer: { base: 2, perRow: 0.5 }, rest: { base: 10, perRow: 1 } },
  forward: { layer: { fixed: 3, perToken: 0.1 }, rest: { fixed: 5, perToken: 0.2 } },
  train: { layer: { fixed: 7, perToken: 0.3 }, rest: { fixed: 11, perToken: 0.6 } },
  optimizerMsPerLayer: 1,
  probeMs: 1234,
};

const config = (over: Record<string, unknown> = {}, run: Record<string, unknown> = {}) =>
  parseRunConfig({
    model: { id: 'demo' },
    sampling: { num_generations: 4, max_prompt_length: 100, max_completion_length: 11 },
    grpo: { beta: 0, num_iterations: 1 },
    run: {
      max_steps: 10,
      prompts_per_step: 2,
      micro_batch_size: 8,
      eval_steps: 0,
      eval_examples: 8,
      gradient_checkpointing: false,
      ...run,
    },
    ...over,
  });

describe('fitCallCost', () => {
  test('two timings on a line: its intercept is the fixed cost of a pass, its slope the cost of a token', () => {
    const c = fitCallCost({ tokens: 16, ms: 26 }, { tokens: 64, ms: 50 });
    expect(c.fixed).toBeCloseTo(18, 9);
    expect(c.perToken).toBeCloseTo(0.5, 9);
    expect(fitCallCost({ tokens: 64, ms: 50 }, { tokens: 16, ms: 26 })).toEqual(c); // in either order
  });

  test('a tiny model: the same time at both sizes is all fixed cost, so more tokens cost nothing more', () => {
    expect(fitCallCost({ tokens: 16, ms: 40 }, { tokens: 64, ms: 40 })).toEqual({ fixed: 40, perToken: 0 });
    // noise can make the larger pass faster: still all fixed, at the mean of the two
    expect(fitCallCost({ tokens: 16, ms: 42 }, { tokens: 64, ms: 38 })).toEqual({ fixed: 40, perToken: 0 });
  });

  test('a slope steeper than the origin allows is all per-token cost (least squares through the origin)', () => {
    const c = fitCallCost({ tokens: 16, ms: 10 }, { tokens: 64, ms: 100 });
    expect(c.fixed).toBe(0);
    expect(c.perToken).toBeCloseTo((10 * 16 + 100 * 64) / (16 * 16 + 64 * 64), 9);
    expect(() => fitCallCost({ tokens: 8, ms: 1 }, { tokens: 8, ms: 2 })).toThrow(/two different token counts/);
  });

  test('a layer is what the two-layer stand-in adds to the one-layer one, in each part; never below 0', () => {
    const s = splitLayers({ fixed: 12, perToken: 0.5 }, { fixed: 20, perToken: 0.7 });
    expect(s.layer.fixed).toBeCloseTo(8, 9);
    expect(s.rest.fixed).toBeCloseTo(4, 9);
    expect(s.layer.perToken).toBeCloseTo(0.2, 9);
    expect(s.rest.perToken).toBeCloseTo(0.3, 9);
    expect(splitLayers({ fixed: 12, perToken: 1 }, { fixed: 10, perToken: 1 }).layer).toEqual({
      fixed: 0,
      perToken: 0,
    });
  });
});

describe('predictRunTime', () => {
  test('a GRPO step: prefill of each prompt once, a decode step per new token for all rows, one training pass', () => {
    const L = 24,
      c = config();
    const p = predictRunTime(PROBE, L, c);
    // prefill: one pass over 2 prompts x 100 tokens; then 10 decode steps at 8 rows
    const prefill = L * (3 + 200 * 0.1) + 5 + 200 * 0.2;
    const decode = 10 * (L * (2 + 8 * 0.5) + 10 + 8 * 1);
    expect(p.sampleSeconds * 1000).toBeCloseTo(prefill + decode, 6);
    // training: one pass (8 rows, micro-batches of 8) over 8 x 111 tokens, plus AdamW over 24 layers' adapters
    expect(p.trainSeconds * 1000).toBeCloseTo(L * (7 + 888 * 0.3) + 11 + 888 * 0.6 + L * 1, 6);
    expect(p.stepSeconds).toBeCloseTo(p.sampleSeconds + p.trainSeconds, 9);
    // evaluation: 8 examples, greedy (k = 1), in batches of the step's 8 rows: one batch of 8 prompts
    const evalPrefill = L * (3 + 800 * 0.1) + 5 + 800 * 0.2;
    expect(p.evalSeconds * 1000).toBeCloseTo(evalPrefill + 10 * (L * (2 + 8 * 0.5) + 10 + 8), 6);
    expect(p.evaluations).toBe(2); // the baseline and the end
    expect(p.runSeconds).toBeCloseTo(10 * p.stepSeconds + 2 * p.evalSeconds, 6);
  });

  test('smaller micro-batches: the same tokens in more passes, each with its fixed cost', () => {
    const L = 4,
      whole = predictRunTime(PROBE, L, config());
    const quarters = predictRunTime(PROBE, L, config({}, { micro_batch_size: 2 })); // 4 passes of 2 rows
    expect((quarters.trainSeconds - whole.trainSeconds) * 1000).toBeCloseTo(3 * (L * 7 + 11), 6);
    expect(quarters.sampleSeconds).toBe(whole.sampleSeconds);
  });

  test('checkpointing adds the layers forward to training; beta > 0 and num_iterations > 1 add forward passes', () => {
    const L = 4,
      base = predictRunTime(PROBE, L, config());
    const tokens = 8 * 111;
    const ckpt = predictRunTime(PROBE, L, config({}, { gradient_checkpointing: true }));
    expect((ckpt.trainSeconds - base.trainSeconds) * 1000).toBeCloseTo(L * (3 + tokens * 0.1), 6);
    const forward = L * (3 + tokens * 0.1) + 5 + tokens * 0.2;
    const kl = predictRunTime(PROBE, L, config({ grpo: { beta: 0.04, num_iterations: 1 } }));
    expect((kl.trainSeconds - base.trainSeconds) * 1000).toBeCloseTo(forward, 6);
    const mu2 = predictRunTime(PROBE, L, config({ grpo: { beta: 0, num_iterations: 2 } }));
    expect(mu2.trainSeconds * 1000).toBeCloseTo(forward + 2 * base.trainSeconds * 1000, 6);
    expect(mu2.sampleSeconds).toBe(base.sampleSeconds);
  });

  test('the layer count scales only the per-layer part; more steps and evaluations add up', () => {
    const a = predictRunTime(PROBE, 2, config()),
      b = predictRunTime(PROBE, 4, config());
    const c = predictRunTime(PROBE, 6, config());
    expect(c.stepSeconds - b.stepSeconds).toBeCloseTo(b.stepSeconds - a.stepSeconds, 9); // linear in layers
    const more = predictRunTime(PROBE, 2, config({}, { max_steps: 30, eval_steps: 10 }));
    expect(more.evaluations).toBe(4); // baseline, 10, 20, 30
    expect(more.runSeconds).toBeCloseTo(30 * a.stepSeconds + 4 * a.evalSeconds, 6);
  });

  test('evaluations: baseline, every eval_steps, and the end when it is not one of them', () => {
    expect(evaluationCount(config(), 10)).toBe(2);
    expect(evaluationCount(config({}, { eval_steps: 3 }), 10)).toBe(5); // 0, 3, 6, 9, 10
    expect(evaluationCount(config({}, { eval_steps: 5 }), 10)).toBe(3); // 0, 5, 10
  });

  test('durations read as people say them', () => {
    expect(formatDuration(4.25)).toBe('4.3 s');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(190)).toBe('3 min 10 s');
    expect(formatDuration(2 * 3600 + 5 * 60)).toBe('2 h 05 min');
  });
});

describe('the speed probe (CPU backend)', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  test('times every part at the demo shape, is cached under its key, and frees what it made', async () => {
    const c = config();
    const info = { backend: 'cpu' as const, device: 'cpu' };
    const kept = new Map<string, SpeedProbe>();
    const cache: SpeedCache = { get: async (k) => kept.get(k), set: async (k, v) => void kept.set(k, v) };
    const before = tf.memory().numTensors;
    expect(await speedReport(info, DEMO_SPEC, c, cache, true)).toBeNull(); // nothing measured yet
    const r = (await speedReport(info, DEMO_SPEC, c, cache))!;
    expect(tf.memory().numTensors).toBe(before);
    expect(r.cached).toBe(false);
    expect(r.layers).toBe(DEMO_SPEC.layers);
    const p = r.probe;
    expect(p.key).toBe(speedKey(info, DEMO_SPEC, c));
    // a layer's part and the rest are differences of two timings (either may come out 0 on a busy machine)
    const total = (x: { fixed: number; perToken: number }) => x.fixed + 64 * x.perToken; // a pass of 64 tokens
    const parts = [p.forward, p.train].map((x) => ({ layer: total(x.layer), rest: total(x.rest) }));
    // a decode step at one row (its base alone may come out 0 when a forward pass's token costs as much)
    const oneRow = (d: { base: number; perRow: number }) => d.base + d.perRow;
    parts.push({ layer: oneRow(p.decode.layer), rest: oneRow(p.decode.rest) });
    for (const x of [...parts, p.forward.layer, p.forward.rest, p.train.layer, p.train.rest].flatMap(Object.values))
      expect(x).toBeGreaterThanOrEqual(0);
    for (const x of parts) expect(x.layer + x.rest).toBeGreaterThan(0);
    expect(p.probeMs).toBeGreaterThan(0);
    const t = predictRunTime(p, DEMO_SPEC.layers, c);
    expect(t.stepSeconds).toBeGreaterThan(0);
    expect(Number.isFinite(t.runSeconds)).toBe(true);
    const again = (await speedReport(info, DEMO_SPEC, c, cache))!;
    expect(again).toMatchObject({ cached: true, probe: p });
    // another rank or weight storage is another key: measured anew
    expect(speedKey(info, DEMO_SPEC, config({ lora: { r: 4 } }))).not.toBe(p.key);
  });
});
