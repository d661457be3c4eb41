// Unit tests of the estimators' arithmetic against hand-computed values: VinePPO's steps, values and
// advantages (with a deterministic value table in place of rollouts), GAE, the clipped value loss, and
// the explained variance.
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '../../src/engine/tf.ts';
import { initBackend } from '../../src/engine/backend.ts';
import {
  boundaryTest,
  splitSteps,
  spreadOverSteps,
  vineAdvantages,
  type PrefixQuery,
} from '../../src/engine/estimators/vineppo.ts';
import { explainedVariance, gae, GaeShapeError, terminalRewards, whiten } from '../../src/engine/estimators/gae.ts';
import { clippedValueLoss } from '../../src/engine/estimators/value-head.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const close = (a: number[], b: number[], eps = 1e-6) => {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => expect(Math.abs(x - b[i]), `index ${i}: ${x} vs ${b[i]}`).toBeLessThan(eps));
};

const NL = 10; // the newline token of these examples
const isNl = (id: number) => id === NL;

describe('VinePPO steps', () => {
  it('ends a step after each delimiter token; the last step ends with the completion', () => {
    expect(splitSteps([5, NL, 6, NL, 7, 2], isNl, 8)).toEqual([2, 4, 6]);
    expect(splitSteps([5, NL, 6, NL], isNl, 8)).toEqual([2, 4]); // a trailing newline opens no empty step
    expect(splitSteps([5, 6], isNl, 8)).toEqual([2]);
    expect(splitSteps([], isNl, 8)).toEqual([0]);
  });

  it('merges neighbouring steps beyond vineppo_max_steps', () => {
    const ids = [1, NL, 1, NL, 1, NL, 1, NL, 1, NL, 1]; // 6 steps, ends 2 4 6 8 10 11
    expect(splitSteps(ids, isNl, 3)).toEqual([4, 8, 11]);
    expect(splitSteps(ids, isNl, 1)).toEqual([11]);
  });

  it("finds the delimiter in each token's decoded text", () => {
    const test = boundaryTest({ decode: (ids) => ids.map((i) => (i === 7 ? 'a\nb' : 'x')).join('') }, '\n');
    expect([test(7), test(8), test(7)]).toEqual([true, false, true]);
  });

  it('spreads step values over their tokens', () => {
    expect(spreadOverSteps([1, 2, 3], [2, 3, 5], 5)).toEqual([1, 1, 2, 3, 3]);
  });
});

describe('VinePPO advantages', () => {
  // two completions of one prompt, sharing the prompt state and the first step
  const prompt = [1, 3];
  const rows = [
    { promptIds: prompt, completionIds: [5, NL, 6, NL, 7, 2] }, // steps end at 2, 4, 6; reward 1
    { promptIds: prompt, completionIds: [5, NL, 8] }, // steps end at 2, 3;    reward 0
  ];
  const table: Record<string, number> = { '': 0.5, '5,10': 0.25, '5,10,6,10': 1.0 };

  it('A_j = r_j + V(s_{j+1}) - V(s_j), the final state worth 0, and each state valued once', async () => {
    const asked: PrefixQuery[][] = [];
    const estimate = async (qs: PrefixQuery[]) => {
      asked.push(qs);
      return qs.map((q) => table[rows[q.row].completionIds.slice(0, q.length).join(',')]);
    };
    const ends = rows.map((r) => splitSteps(r.completionIds, isNl, 8));
    const out = await vineAdvantages(rows, ends, [1, 0], estimate);
    expect(out.queried).toBe(3);
    expect(asked).toHaveLength(1);
    close(out.stepValues[0], [0.5, 0.25, 1.0]);
    close(out.stepAdvantages[0], [0.25 - 0.5, 1.0 - 0.25, 1 + 0 - 1.0]);
    close(out.tokenAdvantages[0], [-0.25, -0.25, 0.75, 0.75, 0, 0]);
    close(out.stepValues[1], [0.5, 0.25]);
    close(out.stepAdvantages[1], [-0.25, 0 - 0.25]);
    close(out.tokenAdvantages[1], [-0.25, -0.25, -0.25]);
  });

  it('gives 0 to every token of an unscored completion', async () => {
    const ends = rows.map((r) => splitSteps(r.completionIds, isNl, 8));
    const out = await vineAdvantages(rows, ends, [null, 0], async (qs) => qs.map(() => 0.5));
    close(out.tokenAdvantages[0], [0, 0, 0, 0, 0, 0]);
  });
});

describe('GAE', () => {
  it('matches a hand-computed sequence (gamma 0.9, lambda 0.5)', () => {
    // deltas: 0.9*0.6-0.5 = 0.04, 0.9*0.8-0.6 = 0.12, 1-0.8 = 0.2; A_t = delta_t + 0.45 A_{t+1}
    const { advantages, returns } = gae(terminalRewards(1, 3), [0.5, 0.6, 0.8], 0.9, 0.5);
    close(advantages, [0.04 + 0.45 * 0.21, 0.12 + 0.45 * 0.2, 0.2]);
    close(returns, [0.1345 + 0.5, 0.21 + 0.6, 1.0]);
  });

  it('is the Monte Carlo return minus the value with gamma = lambda = 1, one-step TD with lambda = 0', () => {
    close(gae(terminalRewards(2, 3), [0.5, 1, 1.5], 1, 1).advantages, [1.5, 1, 0.5]);
    close(gae(terminalRewards(2, 3), [0.5, 1, 1.5], 1, 0).advantages, [0.5, 0.5, 0.5]);
  });

  it('rejects values that do not match the tokens', () => {
    expect(() => gae([0, 1], [0.5], 1, 1)).toThrow(GaeShapeError);
  });

  it('whitens over counted rows only', () => {
    const w = whiten([[1, 3], [100]], [true, false]);
    close(w[0], [-1 / Math.SQRT2, 1 / Math.SQRT2], 1e-6);
  });

  it('explained variance: 1 for a perfect prediction, 0 for the mean', () => {
    expect(explainedVariance([1, 2, 3], [1, 2, 3])).toBeCloseTo(1);
    expect(explainedVariance([2, 2, 2], [1, 2, 3])).toBeCloseTo(0);
  });
});

describe('clipped value loss', () => {
  it('takes the worse of clipped and unclipped errors, and the clipped one stops the gradient', () => {
    const base = tf.memory().numTensors;
    const v = tf.tensor2d([[1.0, 0.0]]);
    const old = tf.tensor2d([[0.5, 0.5]]),
      R = tf.tensor2d([[0, 0]]),
      mask = tf.tensor2d([[1, 1]]);
    const out = tf.tidy(() => clippedValueLoss({ values: v, oldValues: old, returns: R, mask }, 1, 0.2, 2));
    // token 0: max(1, (0.7)^2) = 1; token 1: max(0, (0.3)^2) = 0.09; loss = 0.5 * 1.09 / 2
    expect(out.loss.dataSync()[0]).toBeCloseTo(0.2725, 6);
    expect(out.clipFrac.dataSync()[0]).toBeCloseTo(0.5, 6);
    // d/dv: token 0 follows the unclipped error (v - R) / 2 = 0.5; token 1 follows the clipped one, flat in v
    const g = tf.tidy(() =>
      tf.grad((x: tf.Tensor) => {
        const o = clippedValueLoss({ values: x as tf.Tensor2D, oldValues: old, returns: R, mask }, 1, 0.2, 2);
        o.clipFrac.dispose();
        return o.loss;
      })(v),
    );
    close(Array.from(g.dataSync()), [0.5, 0]);
    tf.dispose([v, old, R, mask, g, out.loss, out.clipFrac]);
    expect(tf.memory().numTensors).toBe(base);
  });
});
