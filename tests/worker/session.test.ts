// The worker's session driven through the real protocol: a MessageChannel stands in for the Worker, the
// session runs the toy task on the tiny model (tests/engine/trainer-helpers.ts).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { config, disposeModel, isState, loadModel, loseDevice, setup } from './session-helpers.ts';
import type { TrainerEvent } from '../../src/worker/protocol.ts';

beforeAll(loadModel);
afterAll(disposeModel);

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
    expect(stopped.state).toBe('done');
    expect(stopped.message).toMatch(/^stopped at step \d+ of 6/);
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
