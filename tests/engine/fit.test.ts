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

  it('an embedding over the buffer limit names the model', () => {
    const spec = BENCH_SHAPES['qwen2.5-0.5b'].spec;
    const [p] = fitProblems(spec, presetConfig('demo'), { maxStorageBufferBindingSize: 128 * 2 ** 20 });
    expect(p.path).toBe('model.id');
    expect(p.message).toMatch(/pick a smaller model/);
  });
});
