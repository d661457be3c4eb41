// What the worker's session needs from the world, built from the other layers: the tfjs backend, models
// and tokenizers (src/hub), the run's data stream, eval split and reward scorer (src/data's
// prepareRunInputs, with rewards in their own worker), and IndexedDB (a database per run, with an OPFS copy of the newest checkpoint) for checkpoints. Kept apart from
// train.worker.ts so Node tests build the same pieces with the CPU backend and files.
import { webgpuDevice } from '../engine/tfjs-internals.ts';
import { initBackend } from '../engine/backend.ts';
import type { RunConfig } from '../engine/config.ts';
import type { BlobStore } from '../engine/checkpoint.ts';
import { opfsStore, perRunIdbStore } from '../engine/checkpoint-browser.ts';
import type { Codec } from '../engine/trainer.ts';
import { loadModelAndTokenizer, readModelSpec, type LoadOptions } from '../hub/load.ts';
import { notCachedMessage } from '../hub/download.ts';
import { createStore, get, set } from 'idb-keyval';
import type { SpeedCache } from './speed.ts';
import type { SpeedProbe } from '../engine/predict.ts';
import type { TextTokenizer } from '../hub/tokenizer.ts';
import { prepareRunInputs } from '../data/prepare.ts';
import { WorkerRewardRunner } from '../reward/runner.ts';
import { WorkerEnvHost } from '../env/host-worker.ts';
import { modelInfo, type LoadedModel, type RunInputs, type SessionEnv } from './session-env.ts';
import type { HubSettings, Progress } from './protocol.ts';

/** A loaded model whose tokenizer the data layer uses for prompts and answers. */
export interface LoadedWithTokenizer extends LoadedModel {
  tokenizer: TextTokenizer;
}

/** The trainer's view of a tokenizer: completions are decoded without special tokens. */
export function codecFromTokenizer(tok: TextTokenizer): Codec {
  return { decode: (ids) => tok.decode(ids, { skipSpecialTokens: true }), eosIds: tok.eosIds, padId: tok.padId };
}

/** Data and rewards of a run; the reward failure counters become metrics of each step. */
export async function defaultPrepareRun(
  config: RunConfig,
  m: LoadedWithTokenizer,
  hub: HubSettings = {},
): Promise<RunInputs> {
  const inputs = await prepareRunInputs(config, m.tokenizer, {
    ...hub,
    runner: WorkerRewardRunner.create(),
    envHost: (limits) => WorkerEnvHost.create(limits),
  });
  return { ...inputs, counters: () => inputs.scorer.counters() };
}

export interface BrowserEnvOptions extends LoadOptions {
  prepareRun?(config: RunConfig, model: LoadedWithTokenizer, hub: HubSettings): Promise<RunInputs>;
  store?: BlobStore;
  mirror?: BlobStore;
}

/** The environment of the app's worker: WebGPU, Hub models, IndexedDB checkpoints. */
export function browserEnv(o: BrowserEnvOptions = {}): SessionEnv {
  const prepare = o.prepareRun ?? defaultPrepareRun;
  return {
    initBackend: (prefer) => initBackend(prefer ?? 'webgpu'),
    async loadModel(model, onProgress: (p: Progress) => void, hub) {
      const {
        model: lm,
        tokenizer,
        commit,
      } = await loadModelAndTokenizer(model, {
        ...o,
        ...hubOptions(hub),
        onProgress: (p) =>
          onProgress({
            stage: 'download',
            done: p.loaded,
            total: p.total,
            file: p.file,
            bytesDone: p.bytesDone,
            bytesTotal: p.bytesTotal,
            bytesPerSecond: p.bytesPerSecond,
            etaSeconds: p.etaSeconds,
          }),
        // the model still loads; the user learns why it will download again (a note, not a progress update)
        onNotCached: (file, e) =>
          onProgress({ stage: 'download', done: 0, total: 0, notCached: notCachedMessage(file, e) }),
      });
      const loaded: LoadedWithTokenizer = {
        model: lm,
        codec: codecFromTokenizer(tokenizer),
        info: modelInfo(model.id, lm, commit),
        tokenizer,
      };
      return loaded;
    },
    prepareRun: (config, loaded, hub) => prepare(config, loaded as LoadedWithTokenizer, hub),
    modelSpec: (model, hub) => readModelSpec(model, { ...o, ...hubOptions(hub) }),
    speedCache: idbSpeedCache(),
    store: o.store ?? perRunIdbStore(),
    mirror: o.store ? o.mirror : (o.mirror ?? opfsStore()),
    watchDevice(onLost) {
      const device = webgpuDevice();
      device?.lost.then((info) => {
        if (info.reason !== 'destroyed') onLost(info.message || 'no reason given');
      });
    },
  };
}

const hubOptions = (hub: HubSettings) => ({
  ...(hub.endpoint ? { endpoint: hub.endpoint } : {}),
  ...(hub.token ? { token: hub.token } : {}),
});

/** Speed probes in IndexedDB, one record per adapter and model shape. */
function idbSpeedCache(): SpeedCache | undefined {
  if (typeof indexedDB === 'undefined') return undefined;
  const store = createStore('webgrpo-speed', 'probes');
  return { get: (key) => get<SpeedProbe>(key, store), set: (key, probe) => set(key, probe, store) };
}
