// How long a run will take on this adapter, predicted from a few seconds of the real kernels (bench/probe.ts):
// the probe times a decode step, a forward pass and a training micro-step at the model's exact widths on
// stand-ins of one and two layers, which splits each time into a part per transformer layer and a part
// outside the layers (embedding, final norm, LM head); it times the passes at two token counts, which splits
// each pass into a fixed cost per call (dispatching the GPU programs, reading the result back: what a tiny
// model's step is mostly made of) and a cost per token (what a large model's is). This file is the arithmetic
// from those times and a config to the time of a step and of the whole run; pure, so the Model tab recomputes
// it as the config changes without measuring again.
//
//   const p = predictRunTime(probe, spec.layers, config);   // p.stepSeconds, p.runSeconds
//
// It is a prediction, not a measurement: every prompt is taken at max_prompt_length and every completion at
// max_completion_length (a run whose prompts are shorter or whose answers stop early is faster), attention's
// growth with the context and the reward functions are left out, and a first step also compiles the GPU programs.
import type { RunConfig } from './config.ts';

/** Milliseconds of one decode step at B rows: `base + B * perRow`. */
export interface DecodeCost {
  base: number;
  perRow: number;
}

/** Milliseconds of one pass over n tokens: `fixed + n * perToken`. */
export interface CallCost {
  fixed: number;
  perToken: number;
}

/** One pass timed at a token count. */
export interface Timing {
  tokens: number;
  ms: number;
}

export interface SpeedProbe {
  /** The adapter and model shape it was measured on (the cache key). */
  key: string;
  /** A decode step (the fused step the sampler runs), per layer and outside the layers. */
  decode: { layer: DecodeCost; rest: DecodeCost };
  /** A forward pass without gradients (prefill, reference log-probabilities). */
  forward: { layer: CallCost; rest: CallCost };
  /** A training micro-step (forward, loss, backward, without gradient checkpointing). */
  train: { layer: CallCost; rest: CallCost };
  /** The AdamW update of one layer's adapter, ms (it grows with the layers, not the tokens). */
  optimizerMsPerLayer: number;
  /** How long the probe itself took, ms. */
  probeMs: number;
}

/**
 * The fixed and per-token cost of a pass from its times at two token counts (a line through two points).
 * A busy machine can make the points disagree with any line of non-negative parts: a second call no slower
 * than the first is all fixed cost (their mean); a slope steeper than the origin allows is all per-token
 * cost (the least-squares line through the origin).
 */
export function fitCallCost(a: Timing, b: Timing): CallCost {
  if (a.tokens === b.tokens) throw new Error('fitCallCost needs two different token counts');
  const [lo, hi] = a.tokens < b.tokens ? [a, b] : [b, a];
  const slope = (hi.ms - lo.ms) / (hi.tokens - lo.tokens);
  if (slope <= 0) return { fixed: Math.max(0, (lo.ms + hi.ms) / 2), perToken: 0 };
  const fixed = lo.ms - lo.tokens * slope;
  if (fixed >= 0) return { fixed, perToken: slope };
  const perToken = (lo.ms * lo.tokens + hi.ms * hi.tokens) / (lo.tokens ** 2 + hi.tokens ** 2);
  return { fixed: 0, perToken: Math.max(0, perToken) };
}

/** A cost on one layer and on two, split into the part each layer adds and the part outside the layers. */
export function splitLayers(one: CallCost, two: CallCost): { layer: CallCost; rest: CallCost } {
  const part = (a: number, b: number) => {
    const layer = Math.max(0, b - a);
    return { layer, rest: Math.max(0, a - layer) };
  };
  const fixed = part(one.fixed, two.fixed),
    perToken = part(one.perToken, two.perToken);
  return {
    layer: { fixed: fixed.layer, perToken: perToken.layer },
    rest: { fixed: fixed.rest, perToken: perToken.rest },
  };
}

export interface TimePrediction {
  /** One GRPO step: sampling (prefill + decode), extra forward passes, training passes, update. */
  sampleSeconds: number;
  trainSeconds: number;
  stepSeconds: number;
  /** One evaluation of eval_examples, and how many the run makes (the baseline included). */
  evalSeconds: number;
  evaluations: number;
  /** Every step (SFT steps included) and every evaluation. */
  runSeconds: number;
}

const decodeMs = (p: SpeedProbe, layers: number, rows: number) =>
  layers * (p.decode.layer.base + rows * p.decode.layer.perRow) + p.decode.rest.base + rows * p.decode.rest.perRow;

/** `calls` passes over `tokens` tokens in all, through `layers` layers (and the rest when `rest`). */
const passMs = (
  cost: { layer: CallCost; rest: CallCost },
  layers: number,
  calls: number,
  tokens: number,
  rest = true,
) =>
  layers * (calls * cost.layer.fixed + tokens * cost.layer.perToken) +
  (rest ? calls * cost.rest.fixed + tokens * cost.rest.perToken : 0);

/** Sampling `prompts` prompts x `g` completions: the prompts are prefilled in one pass, then one decode step a token. */
function sampleMs(p: SpeedProbe, layers: number, prompts: number, g: number, c: RunConfig): number {
  const steps = Math.max(0, c.sampling.max_completion_length - 1); // the first token comes from the prefill
  return (
    passMs(p.forward, layers, 1, prompts * c.sampling.max_prompt_length) + steps * decodeMs(p, layers, prompts * g)
  );
}

/** The passes over a step's rows: one a micro-batch of micro_batch_size rows of prompt + completion. */
function passes(rows: number, c: RunConfig): { calls: number; tokens: number } {
  return {
    calls: Math.ceil(rows / c.run.micro_batch_size),
    tokens: rows * (c.sampling.max_prompt_length + c.sampling.max_completion_length),
  };
}

/** One training pass over `rows` rows; checkpointing recomputes the layers' forward. */
function trainPassMs(p: SpeedProbe, layers: number, rows: number, c: RunConfig): number {
  const { calls, tokens } = passes(rows, c);
  const recompute = c.run.gradient_checkpointing ? passMs(p.forward, layers, calls, tokens, false) : 0;
  return passMs(p.train, layers, calls, tokens) + recompute;
}

/** Evaluations a run makes: the baseline, every eval_steps steps, and at the end. */
export function evaluationCount(c: RunConfig, totalSteps: number): number {
  const e = c.run.eval_steps;
  const periodic = e > 0 ? Math.floor(totalSteps / e) : 0;
  const last = e > 0 && totalSteps % e === 0 ? 0 : 1;
  return 1 + periodic + last;
}

/** One evaluation: eval_examples prompts, eval_num_samples completions each, in batches of the step's rows. */
function evalMs(p: SpeedProbe, layers: number, c: RunConfig): number {
  const k = c.run.eval_num_samples,
    n = c.run.eval_examples;
  const perBatch = Math.max(1, Math.floor((c.run.prompts_per_step * c.sampling.num_generations) / k));
  let ms = 0;
  for (let done = 0; done < n; done += perBatch) ms += sampleMs(p, layers, Math.min(perBatch, n - done), k, c);
  return ms;
}

export function predictRunTime(p: SpeedProbe, layers: number, c: RunConfig): TimePrediction {
  const P = c.run.prompts_per_step,
    G = c.sampling.num_generations,
    mu = c.grpo.num_iterations,
    rows = P * G;
  const sample = sampleMs(p, layers, P, G, c);
  const { calls, tokens } = passes(rows, c);
  // the reference model's (beta > 0) and the old policy's (mu > 1) log-probabilities: a forward pass each
  const extraForwards = (c.grpo.beta > 0 ? 1 : 0) + (mu > 1 ? 1 : 0);
  const train =
    extraForwards * passMs(p.forward, layers, calls, tokens) +
    mu * (trainPassMs(p, layers, rows, c) + layers * p.optimizerMsPerLayer);
  const sftSteps = c.run.mode === 'sft' ? c.run.max_steps : c.run.mode === 'sft_then_grpo' ? c.run.sft_steps : 0;
  const grpoSteps = c.run.mode === 'sft' ? 0 : c.run.max_steps;
  const sftStep = trainPassMs(p, layers, rows, c) + layers * p.optimizerMsPerLayer;
  const evaluations = evaluationCount(c, sftSteps + grpoSteps);
  const evalOne = evalMs(p, layers, c);
  const runMs = grpoSteps * (sample + train) + sftSteps * sftStep + evaluations * evalOne;
  return {
    sampleSeconds: sample / 1000,
    trainSeconds: train / 1000,
    stepSeconds: (grpoSteps ? sample + train : sftStep) / 1000,
    evalSeconds: evalOne / 1000,
    evaluations,
    runSeconds: runMs / 1000,
  };
}

/** "4.2 s", "3 min 10 s", "2 h 05 min": a duration for people. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const m = Math.round(seconds / 60);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** The line the CLI prints and the Model tab shows. */
export function predictionLine(t: TimePrediction, steps: number): string {
  return (
    `predicted on this GPU: ${formatDuration(t.stepSeconds)} a step, ${formatDuration(t.runSeconds)} for the run ` +
    `(${steps} steps, ${t.evaluations} evaluations of ${formatDuration(t.evalSeconds)}; ` +
    'every prompt and answer at full length)'
  );
}
