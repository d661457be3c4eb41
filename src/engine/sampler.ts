// Generation with a preallocated KV cache: G completions for each of several prompts in one batch.
// Rows are prompt-major (row r belongs to prompt floor(r / G)), left-padded to the longest prompt; the
// cache holds prompt + max_new_tokens positions, so every decode step has the same shapes (the WebGPU
// backend then reuses its compiled programs). Works on token ids only: stop strings are checked by the
// caller's `isStopped`, which may decode.
//
//   const out = await sampleBatch(model, lora, [[1, 2, 3]], { ops, numGenerations: 4, maxNewTokens: 32, ... })
//
// The prompt is prefilled by the forward pass; each later token goes through the Ops' decode step (the
// fused WebGPU kernels) where the Ops have one for this model and cache, else through the forward pass.
import * as tf from './tf.ts';
import type { CausalLM, KVCache } from './model/model.ts';
import type { LoraAdapter } from './lora.ts';
import { leftPad } from './batch.ts';
import { chooseToken, type TokenFilters } from './sampling.ts';
import { Rng } from './rng.ts';
import type { Ops } from './ops/ops.ts';

import type { FinishReason } from './scoring.ts';

export type { FinishReason };

export interface SampleOptions extends TokenFilters {
  /** The run's Ops (ops/index.ts chooseOps). */
  ops: Ops;
  numGenerations: number;
  maxNewTokens: number;
  eosIds: number[];
  padId: number;
  rng: Rng;
  isStopped?: (completionIds: number[]) => boolean;
  onStep?: (done: number, total: number) => void;
}

/**
 * Options for sampling without filters or penalties, one completion per prompt and no end token: greedy
 * (temperature 0, the default) for checks, or plain sampling for timings. `o` overrides any of them.
 */
export function plainSampling(ops: Ops, maxNewTokens: number, o: Partial<SampleOptions> = {}): SampleOptions {
  return {
    ops,
    numGenerations: 1,
    maxNewTokens,
    temperature: 0,
    topP: 1,
    topK: 0,
    minP: 0,
    repetitionPenalty: 1,
    eosIds: [],
    padId: 0,
    rng: new Rng(0),
    ...o,
  };
}

export interface SampleResult {
  promptIndex: number[]; // [B] which prompt each row continues
  completions: number[][]; // [B][<= maxNewTokens] ids, ending with the EOS id when it stopped on one
  logprobs: number[][]; // [B][same] sampling log-probabilities of those ids
  finish: FinishReason[]; // [B]
}

export async function sampleBatch(
  model: CausalLM,
  lora: LoraAdapter | null,
  prompts: number[][],
  o: SampleOptions,
): Promise<SampleResult> {
  const G = o.numGenerations,
    B = prompts.length * G;
  const rows = prompts.flatMap((p) => Array.from({ length: G }, () => p));
  const pad = leftPad(rows, o.padId);
  const P = pad.ids[0].length,
    capacity = P + o.maxNewTokens;
  const keyMask = pad.mask.map((r) => [...r, ...Array(o.maxNewTokens).fill(0)]); // [B, capacity]
  const lastPos = pad.positions.map((r) => r[P - 1]);
  const out: SampleResult = {
    promptIndex: rows.map((_, r) => Math.floor(r / G)),
    completions: rows.map(() => []),
    logprobs: rows.map(() => []),
    finish: rows.map(() => 'length'),
  };
  const done = rows.map(() => false);
  let logits = prefill(model, lora, o.ops, pad, keyMask, G, capacity);
  let cache: KVCache = logits.cache;
  try {
    for (let t = 0; t < o.maxNewTokens; t++) {
      const rowsLogits = (await logits.logits.data()) as Float32Array;
      if (logits.cache !== cache) {
        tf.dispose(cache.k);
        tf.dispose(cache.v);
      } // the fused step writes in place
      logits.logits.dispose();
      cache = logits.cache;
      const next = chooseAll(rowsLogits, rows, out, done, o);
      o.onStep?.(t + 1, o.maxNewTokens);
      if (done.every(Boolean) || t === o.maxNewTokens - 1) break;
      for (const r of keyMask) r[P + t] = 1;
      logits = step(
        model,
        lora,
        o.ops,
        cache,
        next.map((id) => [id]),
        lastPos.map((p) => [p + t + 1]),
        keyMask,
        P + t,
      );
    }
  } finally {
    tf.dispose(cache.k);
    tf.dispose(cache.v);
  }
  return out;
}

/**
 * The prompt pass. The G rows of a prompt are identical, so each prompt is computed once and its cache rows
 * and logits are copied to its G rows: the prefill costs P prompts, not P x G rows (VinePPO's K
 * continuations of a prefix share it the same way).
 */
function prefill(
  model: CausalLM,
  lora: LoraAdapter | null,
  ops: Ops,
  pad: { ids: number[][]; positions: number[][] },
  keyMask: number[][],
  G: number,
  capacity: number,
): { logits: tf.Tensor2D; cache: KVCache } {
  const B = pad.ids.length,
    first = <T>(xs: T[]) => xs.filter((_, r) => r % G === 0);
  const empty = model.newCache(B / G, capacity);
  const once = step(model, lora, ops, empty, first(pad.ids), first(pad.positions), first(keyMask), 0); // [B / G, ...]
  if (once.cache !== empty) tf.dispose([...empty.k, ...empty.v]); // the fused step writes in place, the others anew
  if (G === 1) return once;
  const idx = tf.tensor1d(
    Array.from({ length: B }, (_, r) => Math.floor(r / G)),
    'int32',
  );
  const wide = (t: tf.Tensor4D) => tf.gather(t, idx) as tf.Tensor4D; // [B, KV, S, hd]
  const out = {
    logits: tf.gather(once.logits, idx) as tf.Tensor2D,
    cache: { k: once.cache.k.map(wide), v: once.cache.v.map(wide), capacity },
  };
  tf.dispose([idx, once.logits, ...once.cache.k, ...once.cache.v]);
  return out;
}

/** One forward pass that writes the cache; returns the logits of the last position [B, V]. */
function step(
  model: CausalLM,
  lora: LoraAdapter | null,
  ops: Ops,
  cache: KVCache,
  ids: number[][],
  positions: number[][],
  keyMask: number[][],
  offset: number,
): { logits: tf.Tensor2D; cache: KVCache } {
  const decoded =
    ids[0].length === 1
      ? ops.decodeStep(
          model,
          lora,
          cache,
          ids.map((r) => r[0]),
          positions.map((r) => r[0]),
          keyMask,
          offset,
        )
      : null;
  if (decoded) return { logits: decoded, cache }; // written in place
  // tidy keeps every tensor of the returned object (the cache included); its typing wants index signatures
  return tf.tidy((() => {
    const T = ids[0].length;
    const r = model.forward({
      ids: tf.tensor2d(ids, undefined, 'int32'),
      positions: tf.tensor2d(positions, undefined, 'int32'),
      keyMask: tf.tensor2d(keyMask, undefined, 'float32'),
      ops,
      lora,
      cache,
      offset,
    });
    const [B, , D] = r.hidden.shape;
    const last = tf.slice(r.hidden, [0, T - 1, 0], [B, 1, D]).reshape([B, D]) as tf.Tensor2D;
    return { logits: model.logits(last, ops), cache: r.cache! };
  }) as unknown as () => tf.TensorContainer) as unknown as { logits: tf.Tensor2D; cache: KVCache };
}

/** Picks each unfinished row's next token and records why rows finish; returns the ids to feed next. */
function chooseAll(
  logits: Float32Array,
  rows: number[][],
  out: SampleResult,
  done: boolean[],
  o: SampleOptions,
): number[] {
  const V = logits.length / rows.length;
  return rows.map((prompt, r) => {
    if (done[r]) return o.padId;
    const comp = out.completions[r];
    const seen = o.repetitionPenalty !== 1 ? [...prompt, ...comp] : undefined;
    const { token, logprob } = chooseToken(logits.subarray(r * V, (r + 1) * V), o, o.rng, seen);
    comp.push(token);
    out.logprobs[r].push(logprob);
    if (o.eosIds.includes(token) || o.isStopped?.(comp)) {
      done[r] = true;
      out.finish[r] = 'stop';
    }
    return token;
  });
}
