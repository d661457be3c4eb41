// One RL step (GRPO and its estimators), top to bottom:
//   1. take prompts_per_step prompts and sample G completions of each          (rollout.ts)
//   2. score them with the weighted rewards (weights may follow a curriculum)
//   3. advantages within each group, or per token (vineppo, ppo)               (estimators/)
//   4. num_iterations (mu) passes over the batch in micro-batches: loss, backward with gradient
//      accumulation, clip the global norm, one AdamW update per pass (policy-update.ts, step.ts, grpo.ts)
//   5. metrics under TRL's names                                               (step-metrics.ts)
//   (the step view's group is scored before and after the update, without gradients   (shown-group.ts))
//
//   const { values, samples, histograms, tokens } = await rlStep(trainer.stepContext())
import { learningRateAt } from './optim.ts';
import { rollout, type Rollout } from './rollout.ts';
import type { TrainRow } from './update.ts';
import { advantagesOfAll, lengthValues, logEntries, rewardValues, updateValues } from './step-metrics.ts';
import type { PhaseResult, StepContext } from './step-context.ts';
import { policyUpdates } from './policy-update.ts';
import { envStep } from './env-step.ts';
import { groupLogprobs, shownGroup } from './shown-group.ts';

export type { PhaseResult, StepContext } from './step-context.ts';

export async function rlStep(t: StepContext): Promise<PhaseResult> {
  if (t.config.environment.envs.length) return envStep(t); // multi-turn episodes instead of a dataset
  const c = t.config,
    G = c.sampling.num_generations;
  // 1-2. prompts -> G completions each -> weighted rewards (dynamic sampling may take several rounds)
  const ctx = { ...t.deps, lora: t.lora, compute: t.compute, rng: t.rng, config: c, progress: t.progress };
  const roll = await rollout(ctx, t.deps.train);
  // 3. advantages: within each group (grpo, rloo), per step from fresh rollouts (vineppo), or GAE on a value head (ppo)
  const base: TrainRow[] = roll.kept.completions.map((ids, r) => ({
    promptIds: roll.kept.examples[Math.floor(r / G)].promptIds.slice(-c.sampling.max_prompt_length),
    completionIds: ids,
    counts: !(c.grpo.mask_truncated_completions && roll.kept.finish[r] === 'length'), // DAPO overlong filtering
    advantage: 0,
  }));
  const lr = learningRateAt(
    (t.step - t.sftSteps) * c.grpo.num_iterations,
    c.run.max_steps * c.grpo.num_iterations,
    c.optim,
  );
  const { rows, perRow, values: estimated, histograms } = await t.estimator.estimate(ctx, roll.kept, base, lr);
  // 4. mu passes of micro-batched loss, backward, clip, AdamW (skipped when dynamic sampling kept nothing),
  //    with the step view's group scored on both sides of them (run.step_view_logprobs)
  const shown = shownGroup(roll.kept.rewards, G),
    shownRows = base.slice(shown * G, (shown + 1) * G),
    T = c.sampling.temperature > 0 ? c.sampling.temperature : 1;
  const before = c.run.step_view_logprobs && rows.length ? await groupLogprobs(t, shownRows, T) : null;
  const update = rows.length ? await policyUpdates(t, rows) : null;
  const after = before ? await groupLogprobs(t, shownRows, T) : null;
  // 5. metrics and the completions log
  const values = {
    ...rewardValues(c, roll),
    ...lengthValues(roll),
    ...updateValues(update, c.grpo),
    ...estimated,
    'tokens_per_second/sample': roll.sampledTokens / Math.max(1e-3, roll.sampleMs / 1000),
    rollout_time: roll.rolloutMs / 1000,
    generation_rounds: roll.rounds,
    num_groups: roll.kept.examples.length,
  };
  const all = advantagesOfAll(roll, perRow, G);
  return {
    values,
    samples: logEntries(
      c,
      roll,
      all,
      t.step + 1,
      before && after ? { group: roll.keptGroups[shown], before, after } : undefined,
    ),
    histograms: {
      ...histograms,
      advantages: perRow,
      rewards: roll.all.rewards.filter((r): r is number => r !== null),
    },
    tokens: countTokens(roll),
  };
}

function countTokens(roll: Rollout): number {
  const G = roll.all.completions.length / Math.max(1, roll.all.examples.length);
  return roll.all.completions.reduce(
    (a, c, r) => a + c.length + roll.all.examples[Math.floor(r / G)].promptIds.length,
    0,
  );
}
