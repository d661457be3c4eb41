// The step view's group, measured on both sides of the update: the Run tab shows one group of the step
// with, per completion, its log-probability under the policy before the update and after it, so a reader
// sees the update raise the likelihood of completions with a positive advantage and lower the others.
// Only that one group is scored (two forward passes of G rows, no gradients); run.step_view_logprobs
// switches it off.
//
//   const shown = shownGroup(roll.kept.rewards, G)               // index among the kept groups
//   const before = await groupLogprobs(t, rows, T)               // [G] summed over each completion's tokens
//   ... the update ...
//   const after = await groupLogprobs(t, rows, T)
import type { TrainRow } from './update.ts';
import { chunkLogprobs, makeChunks } from './update.ts';
import type { StepContext } from './step-context.ts';

/** The group the step view opens on: the first whose rewards differ (the others teach nothing), else the first. */
export function shownGroup(rewards: (number | null)[], G: number): number {
  for (let g = 0; g * G < rewards.length; g++) {
    const xs = rewards.slice(g * G, (g + 1) * G).filter((r): r is number => r !== null);
    if (xs.some((r) => r !== xs[0])) return g;
  }
  return 0;
}

/**
 * Each row's completion log-probability (the sum over its tokens, at the training temperature) under the
 * current adapter, without gradients. Every completion token counts here, whatever the loss masks, so the
 * number is the completion's own likelihood.
 */
export async function groupLogprobs(t: StepContext, rows: TrainRow[], temperature: number): Promise<number[]> {
  const whole = rows.map((r) => ({ ...r, counts: true, lossMask: undefined }));
  const { chunks } = makeChunks(whole, t.deps.codec.padId, t.config.run.micro_batch_size);
  const lps = await chunkLogprobs(t.deps.model, t.lora, chunks, t.compute, temperature); // per chunk [n, C]
  return chunks.flatMap((c, i) => lps[i].map((row, r) => row.reduce((a, lp, k) => a + lp * c.completionMask[r][k], 0)));
}
