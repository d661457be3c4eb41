import { describe, it, expect } from 'vitest';
import { computeAdvantages, curriculumWeight, mixedGroups, totalRewards } from '../../src/engine/advantages.ts';
import { betaCdf, jeffreysInterval } from '../../src/engine/stats.ts';
import { diagnose, klLimit, metricsToCsv, metricsToJsonl, type StepMetrics } from '../../src/engine/metrics.ts';

const close = (a: number[], b: number[], tol = 1e-6) =>
  a.forEach((x, i) => expect(x).toBeCloseTo(b[i], -Math.log10(tol)));

describe('advantages', () => {
  // two groups of G = 3: rewards [1, 2, 3] (mean 2, unbiased std 1) and [0, 0, 3] (mean 1, std sqrt(3))
  const r = [1, 2, 3, 0, 0, 3];
  it('group scaling: (r - group mean) / (group std + 1e-4)', () => {
    const a = computeAdvantages(r, 3, 'group');
    close(a.advantages, [
      -1 / 1.0001,
      0,
      1 / 1.0001,
      -1 / (Math.sqrt(3) + 1e-4),
      -1 / (Math.sqrt(3) + 1e-4),
      2 / (Math.sqrt(3) + 1e-4),
    ]);
    close(a.groupMean, [2, 1]);
    expect(a.zeroStdGroups).toBe(0);
  });
  it('batch scaling divides by the std of all rewards', () => {
    const s = Math.sqrt(((1 - 1.5) ** 2 + (2 - 1.5) ** 2 + (3 - 1.5) ** 2 + 2 * 1.5 ** 2 + 1.5 ** 2) / 5); // mean 1.5
    close(
      computeAdvantages(r, 3, 'batch').advantages,
      [-1, 0, 1, -1, -1, 2].map((x) => x / (s + 1e-4)),
    );
  });
  it('none: centred only (Dr. GRPO)', () => {
    close(computeAdvantages(r, 3, 'none').advantages, [-1, 0, 1, -1, -1, 2]);
  });
  it('rloo: reward minus the mean of the others', () => {
    // group 1: 1 - 2.5, 2 - 2, 3 - 1.5; group 2: 0 - 1.5, 0 - 1.5, 3 - 0
    close(computeAdvantages(r, 3, 'none', 'rloo').advantages, [-1.5, 0, 1.5, -1.5, -1.5, 3]);
  });
  it('null rewards get advantage 0 and stay out of the statistics; all-null groups are all 0', () => {
    const a = computeAdvantages([1, null, 3, null, null, null], 3, 'none');
    expect(a.advantages).toEqual([-1, 0, 1, 0, 0, 0]);
    expect(a.zeroStdGroups).toBe(1);
  });
  it('equal rewards give zero advantages and count as zero-std groups', () => {
    const a = computeAdvantages([1, 1, 1, 0, 1, 0], 3, 'group');
    expect(a.advantages.slice(0, 3)).toEqual([0, 0, 0]);
    expect(a.zeroStdGroups).toBe(1);
  });
  it('rejects rewards that are not whole groups', () => {
    expect(() => computeAdvantages([1, 2, 3], 2, 'group')).toThrow(/multiple of the group size/);
  });
});

describe('rewards', () => {
  it('weighted totals skip nulls and are null only when every reward is', () => {
    expect(
      totalRewards(
        [
          [1, 0.5],
          [null, 1],
          [null, null],
        ],
        [2, 0.5],
      ),
    ).toEqual([2.25, 0.5, null]);
  });
  it('mixed groups are those whose rewards differ', () => {
    expect(mixedGroups([1, 1, 0, 1, 2, 2, null, null], 2)).toEqual([1]);
  });
  it('curriculum weights move linearly between the phase fractions', () => {
    const spec = { weight: 1, weight_end: 0, phase_start: 0.2, phase_end: 0.6 };
    close(
      [0, 0.2, 0.4, 0.6, 1].map((p) => curriculumWeight(spec, p)),
      [1, 1, 0.5, 0, 0],
    );
    expect(curriculumWeight({ weight: 2, phase_start: 0, phase_end: 1 }, 0.5)).toBe(2);
  });
});

describe('statistics', () => {
  it('the incomplete beta matches numerical integration', () => {
    const a = 3.5,
      b = 7.5,
      x = 0.3,
      n = 20000;
    let area = 0,
      total = 0;
    for (let i = 0; i < n; i++) {
      const t = (i + 0.5) / n,
        f = t ** (a - 1) * (1 - t) ** (b - 1);
      total += f;
      if (t < x) area += f;
    }
    expect(betaCdf(x, a, b)).toBeCloseTo(area / total, 4);
  });
  it('Jeffreys interval: symmetric at 5/10, clamped at 0 and n', () => {
    const [lo, hi] = jeffreysInterval(5, 10);
    expect(lo + hi).toBeCloseTo(1, 8);
    expect(betaCdf(lo, 5.5, 5.5)).toBeCloseTo(0.1, 8);
    expect(jeffreysInterval(0, 10)[0]).toBe(0);
    expect(jeffreysInterval(10, 10)[1]).toBe(1);
  });
});

describe('metrics', () => {
  const h: StepMetrics[] = Array.from({ length: 20 }, (_, i) => ({
    step: i + 1,
    phase: 'grpo',
    time: 0,
    values: {
      reward: 0.5,
      frac_reward_zero_std: 0.9,
      entropy: i < 3 ? 1 : 0.01,
      kl: 0.8,
      'completions/clipped_ratio': 0.7,
    },
  }));
  it('diagnoses collapse, plateau, entropy collapse, KL drift and truncation', () => {
    expect(
      diagnose(h)
        .map((a) => a.id)
        .sort(),
    ).toEqual(['diversity_collapse', 'entropy_collapse', 'kl_drift', 'reward_plateau', 'truncation']);
    expect(diagnose(h.slice(0, 2))).toEqual([]);
  });
  it("scales the KL limit to the run's answer length, and says so in a sentence", () => {
    const run = (kl: number, length: number): StepMetrics[] =>
      [1, 2, 3].map((step) => ({
        step,
        phase: 'grpo',
        time: 0,
        values: { reward: 0.5, kl, 'completions/mean_length': length },
      }));
    // the demo's answers (about 4 tokens) learning to drop one token: 0.66 nats/token is the change itself
    expect(klLimit(4)).toBe(2);
    expect(diagnose(run(0.66, 4)).map((a) => a.id)).toEqual([]);
    expect(diagnose(run(2.5, 4)).map((a) => a.id)).toEqual(['kl_drift']);
    // long answers keep the per-token rule of thumb
    expect(klLimit(200)).toBe(0.5);
    const [a] = diagnose(run(0.66, 200));
    expect(a.message).toBe(
      'KL to the reference is 0.66 nats per token, above the 0.50 expected for answers of 200.0 tokens',
    );
    expect(klLimit(Number.NaN)).toBe(0.5);
  });
  it('exports JSONL and CSV with every metric as a column', () => {
    expect(metricsToJsonl(h.slice(0, 1))).toBe(
      '{"step":1,"phase":"grpo","time":0,"reward":0.5,"frac_reward_zero_std":0.9,"entropy":1,"kl":0.8,"completions/clipped_ratio":0.7}\n',
    );
    const csv = metricsToCsv([h[0], { step: 2, phase: 'sft', time: 0, values: { loss: 1 } }]).split('\n');
    expect(csv[0]).toBe('step,phase,time,reward,frac_reward_zero_std,entropy,kl,completions/clipped_ratio,loss');
    expect(csv[2]).toBe('2,sft,0,,,,,,1');
  });
});
