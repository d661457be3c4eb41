// The limits of environment calls: a reset or step past its deadline ends that call with EnvTimeoutError
// (in the worker host even a synchronous endless loop: the worker is replaced and the other live episodes
// are rebuilt by replay), observations are cut to the cap, and an answer of the wrong shape is a typed error.
import { describe, it, expect, afterEach } from 'vitest';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { WorkerEnvHost, type EnvWorkerLike } from '../../src/env/host-worker.ts';
import { EnvReplyError, EnvTimeoutError, LocalEnvHost, capObservation } from '../../src/env/host.ts';
import type { EnvReply } from '../../src/env/host-protocol.ts';
import type { EnvStepResult } from '../../src/env/types.ts';
import { counterDef } from './fixtures/counter-env.ts';

const BOOT = fileURLToPath(new URL('./fixtures/env-worker-boot.mjs', import.meta.url));

function nodeWorker(): EnvWorkerLike {
  const w = new Worker(BOOT);
  w.unref();
  return {
    postMessage: (m) => w.postMessage(m),
    addEventListener: (_t, fn) => void w.on('message', (data: EnvReply) => fn({ data } as MessageEvent<EnvReply>)),
    terminate: () => void w.terminate(),
  };
}

const limits = { stepTimeoutMs: 1_500, maxObservationChars: 200 };
let host: WorkerEnvHost | null = null;
afterEach(() => host?.dispose());
const obs = (r: EnvStepResult) => r.observation;

describe('WorkerEnvHost', () => {
  it('cuts off a synchronous endless loop, fails that episode only, and rebuilds the others by replay', async () => {
    let spawned = 0;
    host = new WorkerEnvHost(() => (spawned++, nodeWorker()), limits);
    const a = host.create('counter', {}),
      b = host.create('counter', {});
    expect(await a.reset(10)).toBe('count 10');
    expect(await b.reset(20)).toBe('count 20');
    expect(obs(await a.step('inc'))).toBe('count 11');
    expect(obs(await b.step('inc'))).toBe('count 21');
    const t0 = Date.now();
    const [looped, other] = await Promise.allSettled([a.step('loop'), b.step('inc')]);
    expect(Date.now() - t0).toBeLessThan(limits.stepTimeoutMs + 8_000); // the deadline, plus a fresh worker
    expect(looped.status).toBe('rejected');
    expect((looped as PromiseRejectedResult).reason).toBeInstanceOf(EnvTimeoutError);
    expect((looped as PromiseRejectedResult).reason.message).toMatch(/counter: step did not answer within 1500 ms/);
    // b's step was waiting behind the loop: it is answered by the new worker, from b's replayed state
    expect(other).toEqual({ status: 'fulfilled', value: expect.objectContaining({ observation: 'count 22' }) });
    expect(obs(await b.step('inc'))).toBe('count 23');
    expect(host.restarts).toBe(1);
    expect(spawned).toBe(2);
    await expect(a.step('inc')).rejects.toThrow(/stopped/); // the failed episode stays over
  }, 30_000);

  it('cuts off a step that never settles, caps a huge observation, refuses a malformed answer', async () => {
    host = new WorkerEnvHost(nodeWorker, limits);
    const e = host.create('counter', {});
    await e.reset(0);
    const huge = obs(await e.step('huge'));
    expect(huge.length).toBe(200);
    expect(huge).toMatch(
      /cut: the environment answered 1000000 characters, above environment.max_observation_chars 200\]$/,
    );
    await expect(e.step('bad')).rejects.toMatchObject({ name: 'EnvReplyError', message: /step returned number/ });
    await expect(e.step('hang')).rejects.toBeInstanceOf(EnvTimeoutError);
    const f = host.create('grid_world', { rooms: 1 }); // the built-ins are served too
    expect(await f.reset(3)).toMatch(/goal/i);
  }, 30_000);

  it('sends close for a finished episode, so a restart does not replay it', async () => {
    const sent: string[] = [];
    host = new WorkerEnvHost(() => {
      const w = nodeWorker();
      return { ...w, postMessage: (m) => (sent.push(`${m.kind}:${m.handle}`), w.postMessage(m)) };
    }, limits);
    const a = host.create('counter', {}),
      b = host.create('counter', {});
    await a.reset(1);
    await b.reset(2);
    a.close!();
    sent.length = 0;
    await expect(b.step('loop')).rejects.toBeInstanceOf(EnvTimeoutError);
    const c = host.create('counter', {});
    expect(await c.reset(5)).toBe('count 5');
    expect(sent).toEqual(['step:1', 'open:2']); // nothing of a (closed) or b (failed) replayed
  }, 30_000);
});

describe('LocalEnvHost', () => {
  it('abandons a step that never settles at the deadline and checks answers the same way', async () => {
    const h = new LocalEnvHost({ counter: counterDef }, { stepTimeoutMs: 200, maxObservationChars: 50 });
    const e = h.create('counter', {});
    expect(await e.reset(4)).toBe('count 4');
    await expect(e.step('hang')).rejects.toBeInstanceOf(EnvTimeoutError);
    await expect(e.step('bad')).rejects.toBeInstanceOf(EnvReplyError);
    expect(obs(await e.step('huge')).length).toBe(50);
  });
});

describe('capObservation', () => {
  it('keeps short text, and never goes above the cap even when the cap is smaller than the note', () => {
    expect(capObservation('abc', 3)).toBe('abc');
    expect(capObservation('x'.repeat(50), 10)).toHaveLength(10);
  });
});
