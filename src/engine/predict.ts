// How long a run will take on this adapter, predicted from a few seconds of the real kernels (bench/probe.ts):
// the probe times a decode step, a forward pass and a training micro-step at the model's exact widths on
// stand-ins of one and two layers, which splits each time into a part per transformer layer and a part
// outside the layers (embedding, final norm, LM head). This file is the arithmetic from those times and a
// config to the time of a step and of the whole run; pure, so the Model tab recomputes it as the config
// changes without measuring again.
//
//   const p = predictRunTime(probe, spec.layers, config);   // p.stepSeconds, p.runSeconds
//
// It is a prediction, not a measurement: every completion is taken at max_completion_length (a run whose
// answers stop early is faster), attention's growth with the context and the reward functions are left out,
// and a first step also compiles the GPU programs.
import type { RunConfig } from './config.ts';

/** Milliseconds of one decode step at B rows: `base + B * perRow`. */
export interface DecodeCost {
  base: number;
  perRow: number;
}

export interface SpeedProbe {
  /** The adapter and model shape it was measured on (the cache key). */
  key: string;
  /** A decode step (the fused step the sampler runs), per layer and outside the layers. */
  decode: { layer: DecodeCost; rest: DecodeCost };
  /** A forward pass without gradients (prefill, reference log-probabilities), ms per token. */
  forward: { layer: number; rest: number };
  /** A training micro-step (forward, loss, backward, without gradient checkpointing), ms per token. */
  train: { layer: number; rest: number };
  /** The AdamW update of one layer's adapter, ms (it grows with the layers, not the tokens). */
  optimizerMsPerLayer: number;
  /** How long the probe itself took, ms. */
  probeMs: number;
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

const forwardMs = (p: SpeedProbe, layers: number, tokens: number) =>
  tokens * (layers * p.forward.layer + p.forward.rest);

/** Sampling `prompts` prompts x `g` completions: the prompts are prefilled once, then one decode step a token. */
function sampleMs(p: SpeedProbe, layers: number, prompts: number, g: number, c: RunConfig): number {
  const steps = Math.max(0, c.sampling.max_completion_length - 1); // the first token comes from the prefill
  return forwardMs(p, layers, prompts * c.sampling.max_prompt_length) + steps * decodeMs(p, layers, prompts * g);
}

/** One training pass over `rows` rows of prompt + completion; checkpointing recomputes the layers' forward. */
function trainPassMs(p: SpeedProbe, layers: number, rows: number, c: RunConfig): number {
  const tokens = rows * (c.sampling.max_prompt_length + c.sampling.max_completion_length);
  const perToken =
    layers * p.train.layer + p.train.rest + (c.run.gradient_checkpointing ? layers * p.forward.layer : 0);
  return tokens * perToken;
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
  const tokens = rows * (c.sampling.max_prompt_length + c.sampling.max_completion_length);
  // the reference model's (beta > 0) and the old policy's (mu > 1) log-probabilities: a forward pass each
  const extraForwards = (c.grpo.beta > 0 ? 1 : 0) + (mu > 1 ? 1 : 0);
  const train =
    extraForwards * forwardMs(p, layers, tokens) +
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
    `(${steps} steps, ${t.evaluations} evaluations of ${formatDuration(t.evalSeconds)}; every answer at full length)`
  );
}
