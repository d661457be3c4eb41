// One SFT step: cross-entropy on the reference answers of prompts_per_step x num_generations examples
// (the same number of sequences as an RL step, so memory needs match), accumulated over micro-batches,
// then one clipped AdamW update on the SFT phase's own learning-rate schedule.
//
//   const { values, tokens } = await sftStep(trainer.stepContext())
import { learningRateAt } from './optim.ts';
import { makeChunks, sftMicroLoss, type TrainRow } from './update.ts';
import { accumulateGradients, optimizerStep } from './gradients.ts';
import type { PhaseResult, StepContext } from './step-context.ts';

export class SftDataError extends Error {
  readonly name = 'SftDataError';
}

export async function sftStep(t: StepContext): Promise<PhaseResult> {
  const c = t.config,
    n = c.run.prompts_per_step * c.sampling.num_generations;
  const examples = Array.from({ length: n }, () => t.deps.train.next());
  const rows: TrainRow[] = examples.map((e) => {
    if (!e.targetIds?.length)
      throw new SftDataError(
        `SFT needs reference answers, but the example "${e.prompt.slice(0, 60)}" has none: set data.answer_field to the column that holds them`,
      );
    return {
      promptIds: e.promptIds.slice(-c.sampling.max_prompt_length),
      completionIds: e.targetIds.slice(0, c.sampling.max_completion_length),
      counts: true,
      advantage: 0,
    };
  });
  const { chunks, tokens } = makeChunks(rows, t.deps.codec.padId, c.run.micro_batch_size);
  const t0 = performance.now();
  t.lora.training = true;
  let r: Awaited<ReturnType<typeof accumulateGradients>>;
  try {
    r = await accumulateGradients(
      t.lora.variables(),
      chunks.map((ch) => () => sftMicroLoss(t.deps.model, t.lora, ch, tokens, t.compute)),
    );
  } finally {
    t.lora.training = false;
  }
  // clip, then one AdamW update at the SFT schedule's learning rate; disposes the gradients
  const learningRate = learningRateAt(t.step, t.sftSteps, c.optim);
  const gradNorm = await optimizerStep(t.optim, r.grads, {
    lr: learningRate,
    maxGradNorm: c.optim.max_grad_norm,
    ops: t.compute.ops,
  });
  const width = chunks[0].batch.ids[0].length,
    ms = performance.now() - t0;
  const values = {
    loss: r.loss,
    grad_norm: gradNorm,
    learning_rate: learningRate,
    entropy: r.extras.reduce((a, e) => a + e[0], 0) / Math.max(1, tokens),
    'tokens_per_second/train': (rows.length * width) / Math.max(1e-3, ms / 1000),
  };
  return { values, samples: [], tokens: rows.reduce((a, x) => a + x.promptIds.length + x.completionIds.length, 0) };
}
