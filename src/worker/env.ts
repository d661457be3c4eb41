// What the worker's session needs from the world, built from the other layers: the tfjs backend, models
// and tokenizers from src/hub, and a Scorer from reward functions (src/reward's RewardFn contract), plus
// IndexedDB for checkpoints. Kept apart from train.worker.ts so Node tests can build the same pieces.
import { initBackend } from '../engine/backend.ts';
import type { RunConfig } from '../engine/config.ts';
import { idbStore, type BlobStore } from '../engine/checkpoint.ts';
import type { Codec, Scorer } from '../engine/trainer.ts';
import type { RewardFn, RewardResult, RewardSample } from '../reward/types.ts';
import { loadModelAndTokenizer, type LoadOptions } from '../hub/load.ts';
import type { TextTokenizer } from '../hub/tokenizer.ts';
import { modelInfo, type LoadedModel, type RunInputs, type SessionEnv } from './session.ts';
import type { Progress } from './protocol.ts';

export class RewardError extends Error {
  readonly name = 'RewardError';
}

/** The trainer's view of a tokenizer: completions are decoded without special tokens. */
export function codecFromTokenizer(tok: TextTokenizer): Codec {
  return { decode: (ids) => tok.decode(ids, { skipSpecialTokens: true }), eosIds: tok.eosIds, padId: tok.padId };
}

function normalise(r: RewardResult | number | null): RewardResult {
  if (r === null || typeof r === 'number') return { score: r };
  return r;
}

/**
 * Scores every sample with every reward of the config (concurrently: async rewards such as the OCaml
 * checker overlap). A reward that throws fails the step with its name; one that returns NaN counts as null.
 */
export function scorerFromRewards(specs: RunConfig['rewards'], resolve: (name: string) => RewardFn): Scorer {
  const fns = specs.map((s) => ({ spec: s, fn: resolve(s.name) }));
  return async (samples: RewardSample[]) => {
    const cells = await Promise.all(samples.map((sample) => Promise.all(fns.map(async ({ spec, fn }) => {
      try {
        const r = normalise(await fn(sample, spec.options));
        return { score: typeof r.score === 'number' && Number.isFinite(r.score) ? r.score : null, details: r.details };
      } catch (e) {
        throw new RewardError(`reward "${spec.name}" failed on a completion: ${(e as Error).message}; try it on that completion in the reward box, or change its options`);
      }
    }))));
    return { scores: cells.map((row) => row.map((c) => c.score)), details: cells.map((row) => row.map((c) => c.details)) };
  };
}

export interface BrowserEnvOptions extends LoadOptions {
  /** Data and rewards of a run (the data layer's stream and eval split, the reward registry's scorer). */
  prepareRun(config: RunConfig, model: LoadedModel & { tokenizer: TextTokenizer }): Promise<RunInputs>;
  store?: BlobStore;
}

/** The environment of the app's worker: WebGPU, Hub models, IndexedDB checkpoints. */
export function browserEnv(o: BrowserEnvOptions): SessionEnv {
  return {
    initBackend: (prefer) => initBackend(prefer ?? 'webgpu'),
    async loadModel(model, onProgress: (p: Progress) => void) {
      const { model: lm, tokenizer } = await loadModelAndTokenizer(model, {
        ...o,
        onProgress: (p) => onProgress({ stage: 'download', done: p.loaded, total: p.total, file: p.file, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, bytesPerSecond: p.bytesPerSecond, etaSeconds: p.etaSeconds }),
      });
      return { model: lm, codec: codecFromTokenizer(tokenizer), info: modelInfo(model.id, lm), tokenizer };
    },
    prepareRun: (config, loaded) => o.prepareRun(config, loaded as LoadedModel & { tokenizer: TextTokenizer }),
    store: o.store ?? idbStore(),
  };
}
