// Checkpoints of a run: LoRA weights, AdamW moments, step, RNG state, data cursor, the full config and the
// metric history, in one self-checking blob per checkpoint, behind an abstract key-value store (a database
// per run in the browser, with the newest checkpoint of an unfinished run mirrored in the Origin Private
// File System: checkpoint-browser.ts; files in Node: checkpoint-node.ts). The index of runs and its
// recovery from damage are in checkpoint-index.ts.
//
//   const ckpts = new CheckpointManager(perRunIdbStore(), { mirror: opfsStore() })
//   await ckpts.save(runId, await trainer.snapshot(), { keep: 3 })
//   const { snapshot, skipped } = await ckpts.load(runId)      // newest intact one; skipped: corrupt ones
//
// Atomicity: a blob is written under a fresh key first; the run's index (one key, written in one put) is
// updated only after, so a checkpoint is visible only once complete, and a failed write (quota exceeded)
// leaves the index and the previous checkpoints as they were. The blob's layout is checkpoint-format.ts.
import { CheckpointCorruptError, type TrainerSnapshot } from './snapshot.ts';
import { RunIndex, isMirrorKey } from './checkpoint-index.ts';
import {
  decodeCheckpoint,
  encodeCheckpoint,
  totalStepsOf,
  type BlobStore,
  type CheckpointInfo,
  type RunRecord,
} from './checkpoint-format.ts';

export * from './checkpoint-format.ts';

export class CheckpointWriteError extends Error {
  readonly name = 'CheckpointWriteError';
}

export { CheckpointCorruptError };

export class NoCheckpointError extends Error {
  readonly name = 'NoCheckpointError';
}

/** A checkpoint read back, the newer ones passed over because they were corrupt, and the run's index. */
export interface LoadedCheckpoint {
  snapshot: TrainerSnapshot;
  info: CheckpointInfo;
  skipped: { info: CheckpointInfo; error: string }[];
  record: RunRecord;
}

export class CheckpointManager {
  private readonly index: RunIndex;

  /** `mirror`: a second store that keeps the newest checkpoint of each unfinished run (the browser's OPFS). */
  constructor(
    private readonly store: BlobStore,
    private readonly o: { mirror?: BlobStore } = {},
  ) {
    this.index = new RunIndex(store, o.mirror);
  }

  /**
   * Every run in storage, newest first. A run whose index record is damaged is listed from its
   * checkpoints, with `problem` saying so; one with nothing readable is still listed, so it can be deleted.
   */
  async listRuns(): Promise<RunRecord[]> {
    const out: RunRecord[] = [];
    for (const id of await this.index.runIds()) out.push(await this.index.resolve(id));
    return out.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /** The run's index record as stored; null when it has none; CheckpointCorruptError when it is damaged. */
  record(runId: string): Promise<RunRecord | null> {
    return this.index.read(runId);
  }

  /** Writes a checkpoint, then publishes it in the run's index; prunes beyond `keep` (the best one stays). */
  async save(runId: string, snap: TrainerSnapshot, o: { keep: number; finished?: boolean }): Promise<CheckpointInfo> {
    const bytes = encodeCheckpoint(snap),
      step = snap.state.step;
    const key = `ckpt/${runId}/${String(step).padStart(8, '0')}-${Date.now().toString(36)}`;
    const prev = await this.index.forSave(runId);
    try {
      await this.store.set(key, bytes);
    } catch (e) {
      await this.store.del(key).catch(() => undefined);
      const last = prev?.checkpoints.at(-1);
      throw new CheckpointWriteError(
        `could not save the checkpoint of step ${step} (${(bytes.length / 2 ** 20).toFixed(1)} MB): ` +
          `${(e as Error).message}. ${last ? `The checkpoint of step ${last.step} is intact.` : ''} ` +
          'Free browser storage (delete old runs) or lower run.completions_log_size.',
      );
    }
    const info = checkpointInfo(runId, key, bytes, snap);
    const next = nextRecord(prev, info, snap, o);
    await this.store.set(`run/${runId}`, new TextEncoder().encode(JSON.stringify(next)));
    const live = new Set([...next.checkpoints.map((c) => c.key), next.best?.key]);
    for (const c of [...(prev?.checkpoints ?? []), ...(prev?.best ? [prev.best] : [])])
      if (!live.has(c.key) && !isMirrorKey(c.key)) await this.store.del(c.key);
    await this.index.mirror(runId, step, bytes, !!o.finished);
    return info;
  }

  /** The newest checkpoint that reads back intact; newer corrupt ones are reported in `skipped` and passed over. */
  async load(runId: string): Promise<LoadedCheckpoint> {
    const record = await this.index.resolve(runId);
    const candidates = [...record.checkpoints, ...(record.best ? [record.best] : [])];
    candidates.push(...(await this.index.mirrored(runId))); // tried after the database's copy of the same step
    if (!candidates.length)
      throw new NoCheckpointError(
        `run ${runId} has no checkpoint to resume from${record.problem ? ` (${record.problem})` : ''}`,
      );
    const skipped: LoadedCheckpoint['skipped'] = [];
    const seen = new Set<string>();
    for (const info of candidates.sort((a, b) => b.step - a.step || +isMirrorKey(a.key) - +isMirrorKey(b.key))) {
      if (seen.has(info.key)) continue;
      seen.add(info.key);
      try {
        const bytes = await this.index.blob(info.key);
        if (!bytes) throw new CheckpointCorruptError('checkpoint data is missing from storage');
        const snapshot = decodeCheckpoint(bytes);
        return { snapshot, info, skipped: skipped.filter((s) => s.info.step > info.step), record };
      } catch (e) {
        skipped.push({ info, error: (e as Error).message });
      }
    }
    throw new CheckpointCorruptError(
      `no intact checkpoint in run ${runId}: ${skipped.map((s) => `step ${s.info.step}: ${s.error}`).join('; ')}`,
    );
  }

  async deleteRun(runId: string): Promise<void> {
    for (const k of await this.store.keys(`ckpt/${runId}/`)) await this.store.del(k);
    await this.store.del(`run/${runId}`);
    await this.index.unmirror(runId);
  }
}

function checkpointInfo(runId: string, key: string, bytes: Uint8Array, snap: TrainerSnapshot): CheckpointInfo {
  const lastEval = snap.state.evals.at(-1),
    step = snap.state.step;
  return {
    runId,
    step,
    key,
    bytes: bytes.length,
    crc: new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true),
    createdAt: Date.now(),
    ...(lastEval?.step === step ? { evalAccuracy: lastEval.accuracy } : {}),
  };
}

/** The run's index after `info` was written: the newest `keep` checkpoints and the best by eval accuracy. */
function nextRecord(
  prev: RunRecord | null,
  info: CheckpointInfo,
  snap: TrainerSnapshot,
  o: { keep: number; finished?: boolean },
): RunRecord {
  const now = Date.now();
  const rec: RunRecord = prev ?? {
    runId: info.runId,
    createdAt: now,
    updatedAt: now,
    modelId: snap.config.model.id,
    mode: snap.config.run.mode,
    totalSteps: 0,
    lastStep: 0,
    finished: false,
    checkpoints: [],
    best: null,
  };
  const stored = rec.checkpoints.filter((c) => c.step !== info.step && !isMirrorKey(c.key));
  const keepList = [...stored, info].slice(-Math.max(1, o.keep));
  const prevBest = rec.best && !isMirrorKey(rec.best.key) ? rec.best : null;
  const best =
    info.evalAccuracy !== undefined &&
    (prevBest?.evalAccuracy === undefined || info.evalAccuracy > prevBest.evalAccuracy)
      ? info
      : prevBest;
  const { problem: _fixed, ...clean } = rec;
  return {
    ...clean,
    updatedAt: now,
    totalSteps: totalStepsOf(snap),
    lastStep: info.step,
    finished: o.finished ?? false,
    checkpoints: keepList,
    best,
  };
}

/** In memory (tests, or when the browser refuses storage). */
export function memoryStore(): BlobStore & { data: Map<string, Uint8Array> } {
  const data = new Map<string, Uint8Array>();
  return {
    data,
    get: async (k) => data.get(k),
    set: async (k, v) => {
      data.set(k, v.slice());
    },
    del: async (k) => {
      data.delete(k);
    },
    keys: async (prefix) => [...data.keys()].filter((k) => k.startsWith(prefix)),
  };
}
