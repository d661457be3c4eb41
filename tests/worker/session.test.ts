// The worker's session driven through the real protocol: a MessageChannel stands in for the Worker, the
// session runs the toy task on the tiny model (tests/engine/trainer-helpers.ts).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
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
beforeAll(async () => {
  await initBackend('cpu');
  model = await loadTiny('qwen2');
});
afterAll(() => model.dispose());

let loseDevice: ((m: string) => void) | null = null;

function setup(store = memoryStore()) {
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
    prepareRun: async () => {
      const d = toyDeps(model, { evalN: 2 });
      return { train: d.train, evalSet: d.evalSet, score: d.score };
    },
    store,
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

const config = {
  sampling: { num_generations: 4, max_completion_length: 4 },
  lora: { r: 4 },
  rewards: [{ name: 'hits' }],
  run: { max_steps: 6, prompts_per_step: 2, save_steps: 2, eval_steps: 0, eval_examples: 2 },
};
const isState = (s: RunState) => (e: TrainerEvent) => e.kind === 'state' && e.status.state === s;

describe('worker session over the protocol', () => {
  it('starts, streams metrics, pauses after a step, resumes to the end, exports', async () => {
    const { client, events, until, close } = setup();
    const firstMetrics = until((e) => e.kind === 'metrics');
    expect((await client.start(config)).state).toBe('running');
    await firstMetrics;
    const paused = await client.pause();
    expect(paused.state).toBe('paused');
    expect(paused.step).toBeGreaterThanOrEqual(1);
    const done = until(isState('done'));
    await client.resume();
    await done;
    const kinds = new Set(events.map((e) => e.kind));
    for (const k of ['state', 'progress', 'metrics', 'samples', 'eval', 'checkpoint'])
      expect(kinds.has(k as TrainerEvent['kind']), k).toBe(true);
    expect((await client.exportMetrics('csv')).trim().split('\n')).toHaveLength(7);
    expect((await client.exportCompletions()).trim().split('\n')).toHaveLength(6 * 8);
    const peft = await client.exportAdapter();
    expect(peft.config.r).toBe(4);
    expect(peft.weights.byteLength).toBeGreaterThan(0);
    const runs = await client.listRuns();
    expect(runs[0].finished).toBe(true);
    expect(runs[0].lastStep).toBe(6);
    close();
  });

  it('stops with a checkpoint, and a new session resumes the run to the end', async () => {
    const a = setup();
    const first = a.until((e) => e.kind === 'metrics');
    await a.client.start({ ...config, run: { ...config.run, save_steps: 0 } });
    await first;
    const stopped = await a.client.stop();
    expect(stopped.state).toBe('stopped');
    const [run] = await a.client.listRuns();
    expect(run.lastStep).toBe(stopped.step);
    a.close();
    const b = setup(a.store); // as after a page reload: a new session over the same storage
    const done = b.until(isState('done'));
    const resumed = await b.client.resumeRun(run.runId);
    expect(resumed.step).toBe(stopped.step);
    await done;
    const steps = (await b.client.exportMetrics('jsonl'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).step);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
    b.close();
  });

  it('reports a lost GPU device with what to do, keeping the last checkpoint', async () => {
    const { client, until, close } = setup();
    const failed = until((e) => e.kind === 'error');
    await client.start(config);
    loseDevice!('VK_ERROR_DEVICE_LOST');
    const e = await failed;
    expect(e.kind === 'error' && e.error.name).toBe('DeviceLostError');
    expect(e.kind === 'error' && e.error.message).toMatch(/last checkpoint is intact/);
    expect((await client.status()).state).toBe('error');
    close();
  });

  it('rejects a bad config with the field and the fix, under its error name', async () => {
    const { client, close } = setup();
    await expect(client.start({ sampling: { num_generations: 1 } })).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringMatching(/num_generations >= 2/),
    });
    await expect(client.resume()).rejects.toMatchObject({ name: 'BusyError' });
    close();
  });
});
