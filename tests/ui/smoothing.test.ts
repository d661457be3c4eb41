import { describe, it, expect } from 'vitest';
import { smoothSeries } from '../../src/ui/run/smoothing.ts';

describe('chart smoothing', () => {
  it('is the debiased exponential moving average, unchanged at weight 0', () => {
    expect(smoothSeries([1, 3, 2], 0)).toEqual([1, 3, 2]);
    const s = smoothSeries([1, 3, 2], 0.5) as number[];
    // weights 1 for the newest, 0.5 for the one before, 0.25 before that
    expect(s[0]).toBe(1);
    expect(s[1]).toBeCloseTo((3 + 0.5 * 1) / 1.5, 12);
    expect(s[2]).toBeCloseTo((2 + 0.5 * 3 + 0.25 * 1) / 1.75, 12);
  });
  it('keeps a constant series constant from its first point (debiased), and keeps gaps', () => {
    expect(smoothSeries([0.4, 0.4, null, 0.4], 0.9).map((x) => (x === null ? x : Number(x.toFixed(12))))).toEqual([
      0.4,
      0.4,
      null,
      0.4,
    ]);
    const s = smoothSeries([0, null, 1], 0.5) as number[];
    expect(s[1]).toBeNull();
    expect(s[2]).toBeCloseTo(1 / 1.5, 12); // the gap does not restart the average
  });
  it('damps noise: a zig-zag smoothed at 0.9 stays near its mean', () => {
    const zig = Array.from({ length: 60 }, (_, i) => (i % 2 ? 1 : 0));
    const s = smoothSeries(zig, 0.9).slice(20) as number[];
    expect(Math.max(...s) - Math.min(...s)).toBeLessThan(0.12);
    expect(Math.abs(s.at(-1)! - 0.5)).toBeLessThan(0.06);
  });
});
