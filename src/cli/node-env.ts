// The trainer's environment in Node: a model folder on disk, the tfjs WASM (or CPU) backend, rewards run
// in-thread, checkpoints in memory. Used by `webgrpo make-demo-model`; the app's worker uses browserEnv.
import { initBackend, type BackendName } from '../engine/backend.ts';
import { CausalLM } from '../engine/model/model.ts';
import { dirSource } from '../engine/model/node-source.ts';
import { memoryStore } from '../engine/checkpoint.ts';
import { loadTokenizer } from '../hub/tokenizer.ts';
import { prepareRunInputs } from '../data/prepare.ts';
import type { LoadDataOptions } from '../data/datasets.ts';
import { codecFromTokenizer, type LoadedWithTokenizer } from '../worker/env.ts';
import { modelInfo, type SessionEnv } from '../worker/session.ts';

export function nodeEnv(dir: string, backend: BackendName = 'wasm', data: LoadDataOptions = {}): SessionEnv {
  return {
    initBackend: () => initBackend(backend),
    async loadModel(m) {
      const src = dirSource(dir);
      const model = await CausalLM.load(src, undefined, { weightDtype: m.weight_dtype }),
        tokenizer = await loadTokenizer(src, model.spec);
      const loaded: LoadedWithTokenizer = {
        model,
        tokenizer,
        codec: codecFromTokenizer(tokenizer),
        info: modelInfo(m.id, model),
        dispose: () => model.dispose(),
      };
      return loaded;
    },
    async prepareRun(config, m, hub) {
      const inputs = await prepareRunInputs(config, (m as LoadedWithTokenizer).tokenizer, { ...hub, ...data });
      return { ...inputs, counters: () => inputs.scorer.counters() };
    },
    store: memoryStore(),
  };
}
