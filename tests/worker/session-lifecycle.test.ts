// A run is never lost or confused: the session's state machine over the real protocol (a double start
// refused while the first goes on; an imported adapter evaluated beside a paused run leaves the run as
// it was), every saved run reopened and exported from storage without resuming, a run that cannot fit
// refused before it starts with the field to change, and a resume that passed over a corrupt checkpoint
// says so. The tiny model on the toy task, 2-3 steps a run.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { memoryStore } from '../../src/engine/checkpoint.ts';
import { config, disposeModel, isState, loadModel, setup } from './session-helpers.ts';

beforeAll(loadModel);
afterAll(disposeModel);

const short = { ...config, run: { ...config.run, max_steps: 3, save_steps: 1 } };

describe('the session lifecycle', () => {
  it('a double start: the second is refused with why, the first trains to the end', async () => {
    const { client, until, close } = setup();
    const done = until(isState('done'));
    const [a, b] = await Promise.allSettled([client.start(short), client.start(short)]);
    expect(a.status).toBe('fulfilled');
    expect(b.status === 'rejected' && [b.reason.name, b.reason.message]).toEqual([
      'BusyError',
      expect.stringMatching(/a run is (starting|training)/), // the toy run may be up before the second arrives
    ]);
    await done;
    expect((await client.listRuns()).map((r) => [r.lastStep, r.finished])).toEqual([[3, true]]);
    close();
  });

  it('evaluating an imported setup while a run is paused leaves the paused run as it was', async () => {
    const { client, until, events, close } = setup();
    const first = until((e) => e.kind === 'metrics');
    const { runId } = await client.start(short);
    await first;
    const paused = await client.pause();
    expect(paused.state).toBe('paused');
    const evalsBefore = events.filter((e) => e.kind === 'eval').length;
    const other = { ...short, lora: { r: 8 }, run: { ...short.run, seed: 3 } };
    const r = await client.evaluateModel(other, null);
    expect(r.n).toBe(2);
    expect(await client.status()).toMatchObject({ state: 'paused', runId, step: paused.step });
    expect(events.filter((e) => e.kind === 'eval')).toHaveLength(evalsBefore); // not an evaluation of this run
    const done = until(isState('done'));
    await client.resume();
    await done;
    const h = await client.runHistory(runId!);
    expect(h.config.lora.r).toBe(4);
    expect(h.history.map((m) => m.step)).toEqual([1, 2, 3]);
    expect((await client.exportAdapter()).config.r).toBe(4);
    close();
  });

  it('a saved run is reopened and exported after a reload, without resuming', async () => {
    const a = setup();
    const done = a.until(isState('done'));
    const { runId } = await a.client.start(short);
    await done;
    const live = await a.client.exportAdapter(runId!);
    a.close();
    const b = setup(a.store); // a page reload: a new session over the same storage
    const h = await b.client.runHistory(runId!);
    expect(h).toMatchObject({ runId, live: false, finished: true, step: 3, totalSteps: 3, skipped: [] });
    expect(h.history.map((m) => m.step)).toEqual([1, 2, 3]);
    expect(h.evals.map((e) => e.step)).toEqual([0, 3]);
    expect(h.samples.length).toBe(3 * 8);
    const saved = await b.client.exportAdapter(runId!);
    expect(saved.config).toEqual(live.config);
    expect(Buffer.from(saved.weights).equals(Buffer.from(live.weights))).toBe(true);
    expect((await b.client.exportMetrics('jsonl', runId!)).trim().split('\n')).toHaveLength(3);
    expect((await b.client.exportCompletions(runId!)).trim().split('\n')).toHaveLength(24);
    expect((await b.client.status()).state).toBe('idle');
    b.close();
  });

  it('a run that cannot fit is refused before it starts, naming the field and by how much', async () => {
    const { client, close } = setup();
    const huge = { ...short, sampling: { ...short.sampling, max_completion_length: 30000 } };
    await expect(client.start(huge)).rejects.toMatchObject({
      name: 'RunTooLargeError',
      message: expect.stringMatching(
        /sampling\.max_completion_length: .* lower max_completion_length by \d+ to at most \d+/,
      ),
    });
    expect((await client.status()).state).toBe('idle');
    await expect(
      client.start({ ...short, sampling: { ...short.sampling, max_completion_length: 1000000 } }),
    ).rejects.toMatchObject({ name: 'ConfigError', message: expect.stringMatching(/max_completion_length.*32768/) });
    expect(await client.listRuns()).toEqual([]);
    close();
  });

  it('a lost database: the run comes back from the mirror; a skipped corrupt checkpoint is said on resume', async () => {
    const mirror = memoryStore();
    const a = setup(memoryStore(), mirror);
    const second = a.until((e) => e.kind === 'metrics' && e.metrics.step === 2);
    const { runId } = await a.client.start({ ...short, run: { ...short.run, max_steps: 8 } });
    await second;
    const paused = await a.client.pause();
    a.close();
    const b = setup(memoryStore(), mirror); // the database is gone, the file system copy is not
    const [run] = await b.client.listRuns();
    expect(run).toMatchObject({ runId, lastStep: paused.step });
    expect(run.problem).toMatch(/recovered from the second copy/);
    expect((await b.client.runHistory(runId!)).history).toHaveLength(paused.step);
    // the database back without the copy, and its newest checkpoint damaged: resume says what it skipped
    mirror.data.clear();
    for (const [k, v] of a.store.data) b.store.data.set(k, v);
    const newest = JSON.parse(new TextDecoder().decode(b.store.data.get(`run/${runId}`))).checkpoints.at(-1).key;
    const bytes = b.store.data.get(newest)!.slice();
    bytes[bytes.length - 3] ^= 0xff;
    b.store.data.set(newest, bytes);
    const resumed = await b.client.resumeRun(runId!);
    expect(resumed.message).toMatch(
      /the newer checkpoint of step \d+ \(.*checksum.*\) could not be read and was skipped/,
    );
    await b.client.stop();
    b.close();
  });
});
