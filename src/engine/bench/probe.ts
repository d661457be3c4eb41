// A few seconds of the real kernels on this adapter, at one model's exact widths, for predict.ts: random
// weights for two transformer layers plus the embedding and LM head (16-bit when the run keeps them so), run
// as a one-layer and a two-layer model; the difference is the cost of a layer, the rest is the cost outside
// the layers. Timed: a decode step at one row, a forward pass and a training micro-step (forward, loss,
// backward) at two sizes (1 row of 16 tokens, 2 rows of 32; each the fastest of a few runs), whose
// difference is the cost of a token and the rest the fixed cost of a pass, and the adapter's AdamW update;
// all of it once on the one-layer model to compile the GPU programs first. A full-size model is never built:
// the stand-in holds the embedding and two layers (Qwen2.5-0.5B's: 0.3 GB in bf16).
//
//   const probe = await probeSpeed(spec, { weightDtype: 'stored', loraRank: 16, targets, fusedKernels: true }, key);
import * as tf from '../tf.ts';
import { CausalLM } from '../model/model.ts';
import type { ModelSpec } from '../model/spec.ts';
import { LoraAdapter } from '../lora.ts';
import type { LoraTarget } from '../config.ts';
import { plainSampling, sampleBatch } from '../sampler.ts';
import { sftMicroLoss } from '../update.ts';
import { accumulateGradients, optimizerStep } from '../gradients.ts';
import { AdamW } from '../optim.ts';
import { chooseOps, type Compute } from '../ops/index.ts';
import { Rng } from '../rng.ts';
import type { MicroBatch } from '../step.ts';
import { fitCallCost, splitLayers, type SpeedProbe, type Timing } from '../predict.ts';
import type { WeightDtype } from '../model/weights.ts';
import { randomWeights } from './run.ts';
import { releasePooledGpuBuffers } from '../gpu-memory.ts';

export interface ProbeOptions {
  weightDtype: WeightDtype;
  loraRank: number;
  targets: readonly LoraTarget[];
  fusedKernels: boolean;
}

/** The two sizes of the timed passes: rows of prompt + completion tokens. */
const SIZES = [
  { rows: 1, prompt: 8, completion: 8 },
  { rows: 2, prompt: 16, completion: 16 },
] as const;
type Size = (typeof SIZES)[number];
/** Each timing is the fastest of up to REPEATS runs that fit in BUDGET_MS. */
const REPEATS = 5,
  BUDGET_MS = 1500;
const now = () => performance.now();

/** Times of one stand-in model (a number of layers). */
interface Timed {
  decode: number; // ms of a decode step at one row
  forward: Timing[]; // a forward pass at each size
  train: Timing[]; // a training micro-step at each size
  optimizer: number; // ms
}

export async function probeSpeed(spec0: ModelSpec, o: ProbeOptions, key: string): Promise<SpeedProbe> {
  const t0 = now();
  const spec2 = { ...spec0, layers: 2 },
    spec1 = { ...spec0, layers: 1 };
  const stored = spec0.storedDtype;
  const format = o.weightDtype === 'stored' && (stored === 'bf16' || stored === 'f16') ? stored : undefined;
  const weights = randomWeights(spec2, 7, {}, format);
  const m2 = new CausalLM(spec2, weights);
  const m1 = new CausalLM(spec1, { ...weights, layers: weights.layers.slice(0, 1) });
  const compute: Compute = { ops: chooseOps({ fusedKernels: o.fusedKernels }), gradientCheckpointing: false };
  try {
    // the two stand-ins run the same GPU programs: compiled once, on the smaller
    await timeModel(m1, o, compute, 0);
    const one = await timeModel(m1, o, compute, BUDGET_MS);
    const two = await timeModel(m2, o, compute, BUDGET_MS);
    const split = (a: number, b: number) => ({ layer: Math.max(0, b - a), rest: Math.max(0, a - Math.max(0, b - a)) });
    const fit = (t: Timing[]) => fitCallCost(t[0], t[1]);
    const decode = split(one.decode, two.decode),
      forward = splitLayers(fit(one.forward), fit(two.forward));
    // a decode step's extra rows cost what a token of a forward pass adds (the weights are read once a step)
    const perRow = (c: { fixed: number; perToken: number }, step: number) => ({
      base: Math.max(0, step - c.perToken),
      perRow: c.perToken,
    });
    return {
      key,
      decode: { layer: perRow(forward.layer, decode.layer), rest: perRow(forward.rest, decode.rest) },
      forward,
      train: splitLayers(fit(one.train), fit(two.train)),
      optimizerMsPerLayer: two.optimizer / 2,
      probeMs: now() - t0,
    };
  } finally {
    m1.invFreq.dispose();
    m2.dispose();
    releasePooledGpuBuffers();
  }
}

/**
 * The fastest of a few runs: at least one, more while they stay within `budgetMs` (at most REPEATS). On a busy
 * machine a single run can take several times the kernels' cost; the fastest is the least disturbed, and a
 * large model, whose one run exceeds the budget, is timed once.
 */
async function fastest(run: () => Promise<number>, budgetMs: number): Promise<number> {
  let best = Infinity,
    spent = 0;
  for (let i = 0; i < REPEATS && (i === 0 || spent + best <= budgetMs); i++) {
    const ms = await run();
    spent += ms;
    best = Math.min(best, ms);
  }
  return best;
}

async function timeModel(model: CausalLM, o: ProbeOptions, compute: Compute, budgetMs: number): Promise<Timed> {
  const settings = {
    r: o.loraRank,
    alpha: 2 * o.loraRank,
    dropout: 0,
    targetModules: [...o.targets],
    useRslora: false,
  };
  const lora = LoraAdapter.create(model.spec, settings, 1);
  const opt = new AdamW(lora.variables(), { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0 });
  try {
    const decode = await fastest(() => decodeStepMs(model, lora, compute), budgetMs);
    const forward: Timing[] = [],
      train: Timing[] = [];
    let grads: tf.Tensor[] = [];
    for (const size of SIZES) {
      const chunk = microBatch(model.spec.vocabSize, size);
      const tokens = size.rows * (size.prompt + size.completion);
      const forwardMs = async () => {
        const t = now();
        const lp = tf.tidy(() => sftMicroLoss(model, lora, chunk, tokens, compute).loss);
        await lp.data();
        lp.dispose();
        return now() - t;
      };
      const trainMs = async () => {
        const t = now();
        lora.training = true;
        const r = await accumulateGradients(lora.variables(), [
          () => sftMicroLoss(model, lora, chunk, tokens, compute),
        ]);
        lora.training = false;
        tf.dispose(grads);
        grads = r.grads;
        return now() - t;
      };
      forward.push({ tokens, ms: await fastest(forwardMs, budgetMs) });
      train.push({ tokens, ms: await fastest(trainMs, budgetMs) });
    }
    const t = now();
    await optimizerStep(opt, grads, { lr: 1e-6, maxGradNorm: 1, ops: compute.ops });
    return { decode, forward, train, optimizer: now() - t };
  } finally {
    opt.dispose();
    lora.dispose();
  }
}

/** One decode step's ms at one row (a short prompt, two new tokens after the first). */
async function decodeStepMs(model: CausalLM, lora: LoraAdapter, compute: Compute): Promise<number> {
  const steps = 2;
  let tFirst = 0;
  const t0 = now();
  await sampleBatch(model, lora, [Array.from({ length: 8 }, (_, i) => 1 + i)], {
    ...plainSampling(compute.ops, 1 + steps, { temperature: 1, rng: new Rng(3) }),
    onStep: (done) => {
      if (done === 1) tFirst = now();
    },
  });
  return (now() - (tFirst || t0)) / steps;
}

function microBatch(V: number, size: Size): MicroBatch {
  const rng = new Rng(4);
  const width = size.prompt + size.completion;
  const ids = Array.from({ length: size.rows }, () => Array.from({ length: width }, () => 1 + rng.int(V - 1)));
  return {
    batch: { ids, mask: ids.map((r) => r.map(() => 1)), promptLength: size.prompt },
    completionMask: ids.map(() => Array(size.completion).fill(1)),
    advantages: ids.map(() => 0),
  };
}
