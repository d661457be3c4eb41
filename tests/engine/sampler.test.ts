import { describe, it, expect, beforeAll } from 'vitest';
import path from 'node:path';
import * as tf from '../../src/engine/tf.ts';
import { initBackend } from '../../src/engine/backend.ts';
import { CausalLM } from '../../src/engine/model/model.ts';
import { dirSource } from '../../src/engine/model/node-source.ts';
import { plainSampling, sampleBatch, type SampleOptions } from '../../src/engine/sampler.ts';
import { chooseToken } from '../../src/engine/sampling.ts';
import { Rng } from '../../src/engine/rng.ts';
import { fullLogits } from '../../src/engine/infer.ts';
import { fixtureDirs, loadReference, rows } from './fixtures.ts';
import { REFERENCE } from '../../src/engine/ops/index.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const greedy = (over: Partial<SampleOptions> = {}): SampleOptions => plainSampling(REFERENCE, 10, over);

describe.each(fixtureDirs().map((d) => [path.basename(d), d]))('%s sampler', (_n, dir) => {
  const ref = loadReference(dir);

  it('greedy tokens match Hugging Face generate exactly (KV cache)', async () => {
    const model = await CausalLM.load(dirSource(dir));
    const before = tf.memory().numTensors;
    const prompt = rows(ref.t.get('greedy_prompt')!)[0];
    const want = rows(ref.t.get('greedy_tokens')!)[0];
    const out = await sampleBatch(model, null, [prompt], greedy({ maxNewTokens: want.length }));
    expect(out.completions[0]).toEqual(want);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('left-padded prompts decode like unpadded ones, and log-probs agree with a full forward pass', async () => {
    const model = await CausalLM.load(dirSource(dir));
    const long = rows(ref.t.get('greedy_prompt')!)[0],
      short = long.slice(3);
    const both = await sampleBatch(model, null, [long, short], greedy({ maxNewTokens: 6 }));
    const alone = await sampleBatch(model, null, [short], greedy({ maxNewTokens: 6 }));
    expect(both.completions[1]).toEqual(alone.completions[0]);
    const seq = [...short, ...alone.completions[0]];
    const logits = fullLogits(model, null, [seq], [seq.map(() => 1)], REFERENCE);
    const data = (await logits.data()) as Float32Array;
    logits.dispose();
    const V = model.spec.vocabSize;
    alone.completions[0].forEach((tok, i) => {
      const row = data.subarray((short.length - 1 + i) * V, (short.length + i) * V);
      const m = Math.max(...row),
        lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
      expect(Math.abs(alone.logprobs[0][i] - (row[tok] - lse))).toBeLessThan(1e-4);
    });
    model.dispose();
  });

  it('stops on EOS ids and stop callbacks, and reproduces with a seed', async () => {
    const model = await CausalLM.load(dirSource(dir));
    const prompt = rows(ref.t.get('greedy_prompt')!)[0];
    const want = rows(ref.t.get('greedy_tokens')!)[0];
    // the last position whose token is new (greedy output of a random tiny model may repeat one token)
    const j = want.reduce((best, t, i) => (want.indexOf(t) === i ? i : best), 0);
    const eos = await sampleBatch(model, null, [prompt], greedy({ eosIds: [want[j]] }));
    expect(eos.finish[0]).toBe('stop');
    expect(eos.completions[0]).toEqual(want.slice(0, j + 1));
    const cut = await sampleBatch(model, null, [prompt], greedy({ isStopped: (ids) => ids.length === 4 }));
    expect(cut.completions[0]).toHaveLength(4);
    const opts = { numGenerations: 3, temperature: 1, topP: 0.9, topK: 50, maxNewTokens: 8 };
    const a = await sampleBatch(model, null, [prompt], greedy({ ...opts, rng: new Rng(5) }));
    const b = await sampleBatch(model, null, [prompt], greedy({ ...opts, rng: new Rng(5) }));
    expect(a.completions).toEqual(b.completions);
    expect(a.finish).toEqual(['length', 'length', 'length']);
    model.dispose();
  });
});

describe('token filters', () => {
  const logits = Float32Array.from([2, 1, 0.5, 0, -1]);
  const f = { temperature: 1, topP: 1, topK: 0, minP: 0, repetitionPenalty: 1 };
  it('top-k 1 and greedy pick the argmax', () => {
    expect(chooseToken(logits, { ...f, topK: 1 }, new Rng(1)).token).toBe(0);
    expect(chooseToken(logits, { ...f, temperature: 0 }, new Rng(1)).token).toBe(0);
  });
  it('top-p keeps the nucleus only', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) seen.add(chooseToken(logits, { ...f, topP: 0.7 }, new Rng(i)).token);
    expect([...seen].sort()).toEqual([0, 1]); // p = 0.55, 0.20, 0.12, ...: the nucleus of 0.7 is {0, 1}
  });
  it('min-p drops unlikely tokens; repetition penalty demotes seen ones', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) seen.add(chooseToken(logits, { ...f, minP: 0.3 }, new Rng(i)).token);
    expect([...seen].sort()).toEqual([0, 1]);
    expect(chooseToken(logits, { ...f, temperature: 0, repetitionPenalty: 10 }, new Rng(0), [0]).token).toBe(1);
  });
  it('sampling frequencies follow the softmax', () => {
    const counts = [0, 0, 0, 0, 0],
      rng = new Rng(3),
      n = 20000;
    for (let i = 0; i < n; i++) counts[chooseToken(logits, f, rng).token]++;
    const z = [...logits].reduce((s, x) => s + Math.exp(x), 0);
    counts.forEach((c, i) => expect(Math.abs(c / n - Math.exp(logits[i]) / z)).toBeLessThan(0.015));
  });
});
