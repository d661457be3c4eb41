// The worker's session over the real protocol for tests: a MessageChannel stands in for the Worker, and
// the session runs the toy task on the tiny model (tests/engine/trainer-helpers.ts).
import { MessageChannel } from 'node:worker_threads';
import { initBackend } from '../../src/engine/backend.ts';
import { memoryStore } from '../../src/engine/checkpoint.ts';
import { TrainerClient, type Port } from '../../src/worker/client.ts';
import { serve, type ServePort } from '../../src/worker/serve.ts';
import { TrainingSession, modelInfo, type SessionEnv } from '../../src/worker/session.ts';
import type { TrainerEvent, RunState } from '../../src/worker/protocol.ts';
import type { CausalLM } from '../../src/engine/model/model.ts';
import { codec, loadTiny, toyDeps } from '../engine/trainer-helpers.ts';

let model: CausalLM;
export async function loadModel(): Promise<void> {
  await initBackend('cpu');
  model = await loadTiny('qwen2');
}
export const disposeModel = () => model.dispose();

export let loseDevice: ((m: string) => void) | null = null;

export function setup(store = memoryStore(), mirror?: ReturnType<typeof memoryStore>) {
  // the tiny model is shared by all tests, so the session gets a view of it whose dispose does nothing
  const shared = Object.assign(Object.create(Object.getPrototypeOf(model)), model, {
    dispose: () => undefined,
  }) as CausalLM;
  const env: SessionEnv = {
    initBackend: () => initBackend('cpu'),
    loadModel: async (m, onProgress) => {
      onProgress({ stage: 'load', done: 1, total: 1 });
      return { model: shared, codec, info: modelInfo(m.id, shared) };
    },
    modelSpec: async () => model.spec,
    prepareRun: async () => {
      const d = toyDeps(model, { evalN: 2 });
      return { train: d.train, evalSet: d.evalSet, score: d.score };
    },
    store,
    mirror,
    watchDevice: (onLost) => {
      loseDevice = onLost;
    },
  };
  const { port1, port2 } = new MessageChannel();
  serve(port1 as unknown as ServePort, new TrainingSession(env));
  const client = new TrainerClient(port2 as unknown as Port);
  const events: TrainerEvent[] = [];
  client.on((e) => events.push(e));
  const until = (pred: (e: TrainerEvent) => boolean) =>
    new Promise<TrainerEvent>((resolve) => {
      const off = client.on((e) => {
        if (pred(e)) {
          off();
          resolve(e);
        }
      });
    });
  const close = () => {
    port1.close();
    port2.close();
  };
  return { client, events, until, store, close };
}

export const config = {
  sampling: { num_generations: 4, max_completion_length: 4 },
  lora: { r: 4 },
  rewards: [{ name: 'hits' }],
  run: { max_steps: 6, prompts_per_step: 2, save_steps: 2, eval_steps: 0, eval_examples: 2 },
};
export const isState = (s: RunState) => (e: TrainerEvent) => e.kind === 'state' && e.status.state === s;
