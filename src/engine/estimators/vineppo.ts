// VinePPO's credit assignment (Kazemnejad et al. 2024): a completion is cut into reasoning steps, the value
// of the state before each step is estimated without a critic, by the mean reward of K fresh rollouts
// continued from it (vine-rollouts.ts), and each step's advantage goes to every token of the step:
//
//   V(s_0) = value of the prompt alone, V(s_j) = value after the first j steps, V(s_S) = 0 (final state)
//   A_j    = r_j + V(s_{j+1}) - V(s_j)          r_j = the completion's reward on its last step, 0 before
//
//   const ends = splitSteps(ids, boundaryTest(codec, '\n'), 8)           // [S] token offsets, last = C
//   const out = await vineAdvantages(rows, ends, rewards, estimator)      // tokenAdvantages [N][C_i]
//
// Departures from the paper:
// - A step ends after a token whose own text contains the delimiter (the engine works on ids; a delimiter
//   split across two tokens is not seen).
// - At most `vineppo_max_steps` steps per completion are valued: longer completions have neighbouring steps
//   merged into evenly spread groups, so the rollout cost per completion is bounded.
// - States shared by several completions (every completion's s_0 is its prompt) are valued once.
// - No discount (gamma 1, as the paper's experiments) and no advantage normalisation.
import type { Codec } from '../rollout.ts';

/** Step ends [S]: exclusive token offsets where each step ends, increasing, the last equal to ids.length. */
export function splitSteps(ids: number[], isBoundary: (id: number) => boolean, maxSteps: number): number[] {
  const ends: number[] = [];
  ids.forEach((id, t) => {
    if (isBoundary(id) && t + 1 < ids.length) ends.push(t + 1);
  });
  ends.push(ids.length);
  if (ends.length <= maxSteps) return ends;
  // keep maxSteps evenly spread ends (the last always): merged steps cover neighbouring lines
  return Array.from({ length: maxSteps }, (_, k) => ends[Math.round(((k + 1) * ends.length) / maxSteps) - 1]);
}

/** A token ends a step when its decoded text contains the delimiter; decodes are cached per id. */
export function boundaryTest(codec: Pick<Codec, 'decode'>, delimiter: string): (id: number) => boolean {
  const seen = new Map<number, boolean>();
  return (id) => {
    let b = seen.get(id);
    if (b === undefined) {
      b = codec.decode([id]).includes(delimiter);
      seen.set(id, b);
    }
    return b;
  };
}

/** A state to value: row `row`'s prompt followed by the first `length` tokens of its completion. */
export interface PrefixQuery {
  row: number;
  length: number;
}

/** Values of the given states, in order (Monte Carlo in training; any function in tests). */
export type ValueEstimator = (queries: PrefixQuery[]) => Promise<number[]>;

export interface VineRow {
  promptIds: number[];
  completionIds: number[];
}

export interface VineAdvantages {
  tokenAdvantages: number[][]; // [N][C_i] each token carries its step's advantage
  stepValues: number[][]; // [N][S_i] V(s_0) .. V(s_{S-1})
  stepAdvantages: number[][]; // [N][S_i]
  queried: number; // distinct states valued
}

/** Step values and advantages of every row; rows whose reward is null get advantage 0 everywhere. */
export async function vineAdvantages(
  rows: VineRow[],
  ends: number[][],
  rewards: (number | null)[],
  estimate: ValueEstimator,
): Promise<VineAdvantages> {
  // the states before each step, deduplicated by their token ids
  const keyOf = (q: PrefixQuery) =>
    `${rows[q.row].promptIds.join(',')}|${rows[q.row].completionIds.slice(0, q.length).join(',')}`;
  const index = new Map<string, number>(),
    unique: PrefixQuery[] = [];
  const stateIds = rows.map((_, r) =>
    ends[r].map((_, j) => {
      const q = { row: r, length: j === 0 ? 0 : ends[r][j - 1] },
        k = keyOf(q);
      if (!index.has(k)) {
        index.set(k, unique.length);
        unique.push(q);
      }
      return index.get(k)!;
    }),
  );
  const values = unique.length ? await estimate(unique) : [];
  const stepValues = stateIds.map((ids) => ids.map((i) => values[i]));
  const stepAdvantages = stepValues.map((vs, r) =>
    vs.map((v, j) => {
      if (rewards[r] === null) return 0;
      const last = j === vs.length - 1;
      return (last ? rewards[r]! : 0) + (last ? 0 : vs[j + 1]) - v;
    }),
  );
  const tokenAdvantages = rows.map((row, r) => spreadOverSteps(stepAdvantages[r], ends[r], row.completionIds.length));
  return { tokenAdvantages, stepValues, stepAdvantages, queried: unique.length };
}

/** Per-token values [C]: token t gets the value of the step that contains it. */
export function spreadOverSteps(stepValues: number[], ends: number[], C: number): number[] {
  const out = new Array<number>(C).fill(0);
  let start = 0;
  ends.forEach((end, j) => {
    for (let t = start; t < end; t++) out[t] = stepValues[j];
    start = end;
  });
  return out;
}
