// A run that cannot fit the adapter's per-buffer limit is refused naming the field to change and by how
// much; the figure given is the exact edge (that value fits, one more does not).
import { describe, it, expect } from 'vitest';
import { fitProblems, assertRunFits } from '../../src/engine/memory.ts';
import { DEMO_SPEC } from '../../src/engine/model/demo-spec.ts';
import { BENCH_SHAPES } from '../../src/engine/bench/shapes.ts';
import { presetConfig } from '../../src/engine/presets.ts';

const withLengths = (prompt: number, completion: number) => {
  const c = presetConfig('demo');
  c.sampling.max_prompt_length = prompt;
  c.sampling.max_completion_length = completion;
  return c;
};
const GiB = 2 ** 30;

describe('fitProblems', () => {
  it('the presets fit', () => {
    expect(fitProblems(DEMO_SPEC, presetConfig('demo'), null)).toEqual([]);
  });

  it('a completion length too long names max_completion_length and the most that fits, exactly', () => {
    const [p, ...rest] = fitProblems(DEMO_SPEC, withLengths(64, 30000), { maxBufferSize: GiB });
    expect(rest).toEqual([]);
    expect(p.path).toBe('sampling.max_completion_length');
    const [, by, most] = /lower max_completion_length by (\d+) to at most (\d+)/.exec(p.message)!.map(Number);
    expect(by).toBe(30000 - most);
    expect(fitProblems(DEMO_SPEC, withLengths(64, most), { maxBufferSize: GiB })).toEqual([]);
    expect(fitProblems(DEMO_SPEC, withLengths(64, most + 1), { maxBufferSize: GiB })).toHaveLength(1);
    expect(() => assertRunFits(DEMO_SPEC, withLengths(64, 30000), { maxBufferSize: GiB })).toThrow(
      expect.objectContaining({ name: 'RunTooLargeError' }),
    );
  });

  it('a prompt alone too long names max_prompt_length', () => {
    const [p] = fitProblems(DEMO_SPEC, withLengths(30000, 1), { maxBufferSize: GiB });
    expect(p.path).toBe('sampling.max_prompt_length');
  });

  it('too many completions at once names num_generations (or prompts_per_step) and the most that fits, exactly', () => {
    const limits = { maxBufferSize: 2 ** 27 };
    const withCounts = (G: number, prompts: number) => {
      const c = presetConfig('demo');
      c.sampling.num_generations = G;
      c.run.prompts_per_step = prompts;
      c.run.micro_batch_size = 4;
      return c;
    };
    const [p, ...rest] = fitProblems(DEMO_SPEC, withCounts(256, 1024), limits);
    expect(rest).toEqual([]);
    expect(p.path).toBe('sampling.num_generations');
    expect(p.message).toMatch(/KV cache \[262144, /);
    const [, by, most] = /lower num_generations by (\d+) to at most (\d+)/.exec(p.message)!.map(Number);
    expect(by).toBe(256 - most);
    expect(fitProblems(DEMO_SPEC, withCounts(most, 1024), limits)).toEqual([]);
    expect(fitProblems(DEMO_SPEC, withCounts(most + 1, 1024), limits)).toHaveLength(1);
    // fewer prompts than num_generations allows: prompts_per_step is the one to lower
    const [q] = fitProblems(DEMO_SPEC, withCounts(8, 1024), { maxBufferSize: 2 ** 21 });
    expect(q.path).toBe('run.prompts_per_step');
    const to = Number(/to at most (\d+)/.exec(q.message)![1]);
    expect(fitProblems(DEMO_SPEC, withCounts(8, to), { maxBufferSize: 2 ** 21 })).toEqual([]);
    expect(fitProblems(DEMO_SPEC, withCounts(8, to + 1), { maxBufferSize: 2 ** 21 })).toHaveLength(1);
  });

  it('a micro-batch too large for any completion length names micro_batch_size', () => {
    const c = withLengths(256, 1000);
    c.run.micro_batch_size = 1024;
    const [p] = fitProblems(DEMO_SPEC, c, { maxBufferSize: GiB });
    expect(p.path).toBe('run.micro_batch_size');
    const most = Number(/lower micro_batch_size by \d+ to at most (\d+)/.exec(p.message)![1]);
    c.run.micro_batch_size = most;
    expect(fitProblems(DEMO_SPEC, c, { maxBufferSize: GiB })).toEqual([]);
  });

  it('an embedding over the buffer limit names the model', () => {
    const spec = BENCH_SHAPES['qwen2.5-0.5b'].spec;
    const [p] = fitProblems(spec, presetConfig('demo'), { maxStorageBufferBindingSize: 128 * 2 ** 20 });
    expect(p.path).toBe('model.id');
    expect(p.message).toMatch(/pick a smaller model/);
  });
});
