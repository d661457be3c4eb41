// Damaged browser storage costs at most what was damaged: a corrupt run record costs that record (the
// run is listed again from its checkpoints, and the others are untouched), a corrupt checkpoint is
// passed over on load and named, and a lost database is survived through the mirror (the copy of an
// unfinished run's newest checkpoint kept in the Origin Private File System in the app). Synthetic
// snapshots, no tensors math: fast.
import { describe, it, expect } from 'vitest';
import { CheckpointManager, memoryStore } from '../../src/engine/checkpoint.ts';
import { parseRunConfig } from '../../src/engine/config.ts';
import type { TrainerSnapshot } from '../../src/engine/trainer.ts';
import { skippedNote } from '../../src/worker/saved-runs.ts';

function snap(step: number, modelId = 'demo'): TrainerSnapshot {
  return {
    config: parseRunConfig({ model: { id: modelId }, run: { max_steps: 30 } }),
    state: {
      step,
      optimPhase: 'grpo',
      optimStep: step,
      rng: [1, 2, 3, 4],
      cursor: { epoch: 0, index: step },
      numTokens: 10 * step,
      history: Array.from({ length: step }, (_, i) => ({ step: i + 1, phase: 'grpo' as const, time: i, values: {} })),
      completions: [],
      evals: [],
    },
    tensors: { w: { shape: [3], data: Float32Array.from([step, step + 1, step + 2]) } },
  };
}

async function twoRuns(mirror = memoryStore()) {
  const store = memoryStore();
  const m = new CheckpointManager(store, { mirror });
  for (const s of [1, 2, 3]) await m.save('a', snap(s), { keep: 3 });
  for (const s of [1, 2]) await m.save('b', snap(s, 'other'), { keep: 3 });
  return { store, mirror, m };
}

const corrupt = (b: Uint8Array) => {
  const c = b.slice();
  c[c.length - 5] ^= 0xff;
  return c;
};

describe('checkpoint storage under damage', () => {
  it('a corrupt run record costs only that record: both runs are listed, the bad one named and still loadable', async () => {
    const { store, m } = await twoRuns();
    store.data.set('run/a', new TextEncoder().encode('{"runId": "a", "checkpoi'));
    const runs = await m.listRuns();
    expect(runs.map((r) => r.runId).sort()).toEqual(['a', 'b']);
    const a = runs.find((r) => r.runId === 'a')!,
      b = runs.find((r) => r.runId === 'b')!;
    expect(a.problem).toMatch(/index record of run a is not valid JSON/);
    expect(a.problem).toMatch(/listed again from its 3 intact checkpoints/);
    expect(a.checkpoints.map((c) => c.step)).toEqual([1, 2, 3]);
    expect(a.lastStep).toBe(3);
    expect(b.problem).toBeUndefined();
    expect((await m.load('a')).snapshot.state.step).toBe(3);
    // the next save repairs the record
    await m.save('a', snap(4), { keep: 3 });
    const repaired = await m.record('a');
    expect(repaired?.problem).toBeUndefined();
    expect(repaired?.checkpoints.map((c) => c.step)).toEqual([2, 3, 4]);
  });

  it('a record of the wrong shape and no readable checkpoint: listed with what to do, and deletable', async () => {
    const { store, mirror, m } = await twoRuns();
    mirror.data.delete('mirror/b/00000002');
    store.data.set('run/b', new TextEncoder().encode('{"runId": "b", "checkpoints": 7}'));
    for (const k of [...store.data.keys()].filter((k) => k.startsWith('ckpt/b/')))
      store.data.set(k, corrupt(store.data.get(k)!));
    const b = (await m.listRuns()).find((r) => r.runId === 'b')!;
    expect(b.problem).toMatch(/damaged.*nothing of it can be read: delete it/);
    expect(b.checkpoints).toEqual([]);
    await expect(m.load('b')).rejects.toMatchObject({ name: 'NoCheckpointError' });
    await m.deleteRun('b');
    expect((await m.listRuns()).map((r) => r.runId)).toEqual(['a']);
  });

  it('a corrupt record and a corrupt newest checkpoint: the checkpoint is named in the list and passed over on load', async () => {
    const { store } = await twoRuns();
    const m = new CheckpointManager(store); // no second copy to fall back on
    const newest = (await m.record('a'))!.checkpoints.at(-1)!;
    store.data.set(newest.key, store.data.get(newest.key)!.slice(0, 40)); // truncated
    store.data.set('run/a', new TextEncoder().encode('not json'));
    const a = (await m.listRuns()).find((r) => r.runId === 'a')!;
    expect(a.problem).toMatch(
      /not valid JSON.*listed again from its 2 intact checkpoints; the checkpoint of step 3 \(checkpoint checksum mismatch.*\) could not be read$/,
    );
    expect([a.lastStep, a.checkpoints.map((c) => c.step)]).toEqual([2, [1, 2, 3]]);
    const got = await m.load('a');
    expect(got.info.step).toBe(2);
    expect(got.skipped.map((s) => s.info.step)).toEqual([3]);
    // resumed and saved again: the record is repaired and the unreadable checkpoint is gone
    await m.save('a', snap(3), { keep: 3 });
    expect((await m.record('a'))!.checkpoints.map((c) => c.step)).toEqual([1, 2, 3]);
    expect(store.data.has(newest.key)).toBe(false);
  });

  it('a corrupt newest checkpoint is passed over on load and named', async () => {
    const { store, m } = await twoRuns();
    const rec = (await m.record('a'))!;
    const newest = rec.checkpoints.at(-1)!;
    store.data.set(newest.key, corrupt(store.data.get(newest.key)!));
    const got = await m.load('a');
    // the mirror holds a copy of step 3, which is intact: the run loses nothing
    expect(got.info.step).toBe(3);
    expect(got.info.key).toMatch(/^mirror\//);
    const noMirror = new CheckpointManager(store);
    const older = await noMirror.load('a');
    expect(older.info.step).toBe(2);
    expect(older.skipped.map((s) => [s.info.step, s.error])).toEqual([[3, expect.stringMatching(/checksum/)]]);
    expect(skippedNote(older.skipped, older.info.step)).toMatch(
      /resumed from the checkpoint of step 2: the newer checkpoint of step 3 \(checkpoint checksum mismatch.*\) could not be read and was skipped/,
    );
  });

  it('a lost database: the unfinished run comes back from the mirror, and a finished one leaves no copy behind', async () => {
    const { store, mirror, m } = await twoRuns();
    expect([...mirror.data.keys()].sort()).toEqual(['mirror/a/00000003', 'mirror/b/00000002']);
    store.data.clear();
    const runs = await m.listRuns();
    expect(runs.map((r) => [r.runId, r.lastStep]).sort()).toEqual([
      ['a', 3],
      ['b', 2],
    ]);
    expect(runs[0].problem).toMatch(/lost.*recovered from the second copy of its newest checkpoint/);
    const got = await m.load('a');
    expect(got.snapshot.state.history).toHaveLength(3);
    // resuming and saving again rebuilds the database's copy; finishing removes the mirror's
    await m.save('a', snap(4), { keep: 3 });
    expect((await m.record('a'))?.checkpoints.map((c) => c.step)).toEqual([4]);
    await m.save('a', snap(30), { keep: 3, finished: true });
    expect([...mirror.data.keys()]).toEqual(['mirror/b/00000002']);
    await m.deleteRun('b');
    expect([...mirror.data.keys()]).toEqual([]);
  });

  it('a database that cannot be opened: the runs of the mirror are listed, each saying why, and load', async () => {
    const { store, mirror } = await twoRuns();
    const fail = () => Promise.reject(new Error('UnknownError: Internal error opening backing store'));
    const broken = { ...store, keys: fail, get: fail };
    const m = new CheckpointManager(broken, { mirror });
    const runs = await m.listRuns();
    expect(runs.map((r) => r.runId).sort()).toEqual(['a', 'b']);
    for (const r of runs)
      expect(r.problem).toMatch(/Internal error opening backing store; it was recovered from the second copy/);
    expect((await m.load('b')).snapshot.state.step).toBe(2);
  });

  it('a failing mirror never fails the save', async () => {
    const broken = { ...memoryStore(), set: async () => Promise.reject(new Error('QuotaExceededError')) };
    const m = new CheckpointManager(memoryStore(), { mirror: broken });
    const info = await m.save('c', snap(1), { keep: 2 });
    expect(info.step).toBe(1);
    expect((await m.load('c')).snapshot.state.step).toBe(1);
  });
});
