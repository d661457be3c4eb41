// Checkpoints of a run: LoRA weights, AdamW moments, step, RNG state, data cursor, the full config and the
// metric history, in one self-checking blob per checkpoint, behind an abstract key-value store (IndexedDB
// through idb-keyval in the browser, files in Node: checkpoint-node.ts).
//
//   const ckpts = new CheckpointManager(idbStore())
//   await ckpts.save(runId, await trainer.snapshot(), { keep: 3 })
//   const { snapshot, skipped } = await ckpts.load(runId)      // newest intact one; skipped: corrupt ones
//
// Atomicity: a blob is written under a fresh key first; the run's index (one key, written in one put) is
// updated only after, so a checkpoint is visible only once complete, and a failed write (quota exceeded)
// leaves the index and the previous checkpoints as they were. Blob layout:
//   'WGCK' | u32 version | u32 crc32(rest) | u32 json bytes | JSON {config, state} | safetensors (tensors)
import { createStore, get, set, del, keys, type UseStore } from 'idb-keyval';
import { readSafetensors, writeSafetensors } from './model/safetensors.ts';
import type { TensorMap, TrainerSnapshot } from './trainer.ts';

export interface BlobStore {
  get(key: string): Promise<Uint8Array | undefined>;
  set(key: string, value: Uint8Array): Promise<void>;
  del(key: string): Promise<void>;
  keys(prefix: string): Promise<string[]>;
}

export interface CheckpointInfo {
  runId: string;
  step: number;
  key: string;
  bytes: number;
  crc: number;
  createdAt: number;
  evalAccuracy?: number;
}

export interface RunRecord {
  runId: string;
  createdAt: number;
  updatedAt: number;
  modelId: string;
  mode: string;
  totalSteps: number;
  lastStep: number;
  finished: boolean;
  checkpoints: CheckpointInfo[]; // oldest first
  best: CheckpointInfo | null; // highest eval accuracy, kept beyond save_total_limit
}

export class CheckpointWriteError extends Error {
  readonly name = 'CheckpointWriteError';
}

export class CheckpointCorruptError extends Error {
  readonly name = 'CheckpointCorruptError';
}

export class NoCheckpointError extends Error {
  readonly name = 'NoCheckpointError';
}

const MAGIC = 0x4b434757; // 'WGCK' little-endian
const VERSION = 1;

export function encodeCheckpoint(snap: TrainerSnapshot): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify({ config: snap.config, state: snap.state }));
  const tensors = writeSafetensors(snap.tensors, { format: 'webgrpo-checkpoint' });
  const out = new Uint8Array(16 + json.length + tensors.length);
  out.set(json, 16);
  out.set(tensors, 16 + json.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, VERSION, true);
  dv.setUint32(12, json.length, true);
  dv.setUint32(8, crc32(out.subarray(12)), true); // last: it covers the length field too
  return out;
}

export function decodeCheckpoint(bytes: Uint8Array): TrainerSnapshot {
  if (bytes.length < 16) throw new CheckpointCorruptError(`checkpoint is truncated (${bytes.length} bytes)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) throw new CheckpointCorruptError('not a webgrpo checkpoint (bad magic)');
  if (dv.getUint32(4, true) !== VERSION)
    throw new CheckpointCorruptError(
      `checkpoint format ${dv.getUint32(4, true)} is not supported by this version (${VERSION})`,
    );
  if (crc32(bytes.subarray(12)) !== dv.getUint32(8, true))
    throw new CheckpointCorruptError('checkpoint checksum mismatch: the data is truncated or corrupted');
  const jl = dv.getUint32(12, true);
  const { config, state } = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + jl)));
  const tensors: TensorMap = {};
  for (const [name, t] of readSafetensors(bytes.slice(16 + jl)))
    tensors[name] = { shape: t.shape, data: t.data as Float32Array };
  return { config, state, tensors };
}

export class CheckpointManager {
  constructor(private readonly store: BlobStore) {}

  async listRuns(): Promise<RunRecord[]> {
    const out: RunRecord[] = [];
    for (const k of await this.store.keys('run/')) {
      const r = await this.record(k.slice(4));
      if (r) out.push(r);
    }
    return out.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async record(runId: string): Promise<RunRecord | null> {
    const b = await this.store.get(`run/${runId}`);
    return b ? (JSON.parse(new TextDecoder().decode(b)) as RunRecord) : null;
  }

  /** Writes a checkpoint, then publishes it in the run's index; prunes beyond `keep` (the best one stays). */
  async save(runId: string, snap: TrainerSnapshot, o: { keep: number; finished?: boolean }): Promise<CheckpointInfo> {
    const bytes = encodeCheckpoint(snap),
      step = snap.state.step;
    const key = `ckpt/${runId}/${String(step).padStart(8, '0')}-${Date.now().toString(36)}`;
    const prev = await this.record(runId);
    try {
      await this.store.set(key, bytes);
    } catch (e) {
      await this.store.del(key).catch(() => undefined);
      const last = prev?.checkpoints.at(-1);
      throw new CheckpointWriteError(
        `could not save the checkpoint of step ${step} (${(bytes.length / 2 ** 20).toFixed(1)} MB): ${(e as Error).message}. ${last ? `The checkpoint of step ${last.step} is intact.` : ''} Free browser storage (delete old runs) or lower run.completions_log_size.`,
      );
    }
    const lastEval = snap.state.evals.at(-1);
    const info: CheckpointInfo = {
      runId,
      step,
      key,
      bytes: bytes.length,
      crc: new DataView(bytes.buffer).getUint32(8, true),
      createdAt: Date.now(),
      ...(lastEval?.step === step ? { evalAccuracy: lastEval.accuracy } : {}),
    };
    const now = Date.now();
    const rec: RunRecord = prev ?? {
      runId,
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
    const all = [...rec.checkpoints.filter((c) => c.step !== step), info];
    const keepList = all.slice(-Math.max(1, o.keep));
    const best =
      info.evalAccuracy !== undefined &&
      (rec.best?.evalAccuracy === undefined || info.evalAccuracy > rec.best.evalAccuracy)
        ? info
        : rec.best;
    const next: RunRecord = {
      ...rec,
      updatedAt: now,
      totalSteps: totalStepsOf(snap),
      lastStep: step,
      finished: o.finished ?? false,
      checkpoints: keepList,
      best,
    };
    await this.store.set(`run/${runId}`, new TextEncoder().encode(JSON.stringify(next)));
    const live = new Set([...keepList.map((c) => c.key), best?.key]);
    for (const c of [...rec.checkpoints, ...(rec.best ? [rec.best] : [])])
      if (!live.has(c.key)) await this.store.del(c.key);
    return info;
  }

  /** The newest checkpoint that reads back intact; corrupt ones are reported in `skipped` and passed over. */
  async load(
    runId: string,
  ): Promise<{ snapshot: TrainerSnapshot; info: CheckpointInfo; skipped: { info: CheckpointInfo; error: string }[] }> {
    const rec = await this.record(runId);
    if (!rec || !rec.checkpoints.length) throw new NoCheckpointError(`run ${runId} has no checkpoint to resume from`);
    const skipped: { info: CheckpointInfo; error: string }[] = [];
    const candidates = [...rec.checkpoints].reverse();
    if (rec.best && !candidates.some((c) => c.key === rec.best!.key)) candidates.push(rec.best);
    for (const info of candidates.sort((a, b) => b.step - a.step)) {
      try {
        const bytes = await this.store.get(info.key);
        if (!bytes) throw new CheckpointCorruptError('checkpoint data is missing from storage');
        return { snapshot: decodeCheckpoint(bytes), info, skipped };
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
  }
}

function totalStepsOf(snap: TrainerSnapshot): number {
  const r = snap.config.run;
  return r.mode === 'sft' ? r.max_steps : r.mode === 'sft_then_grpo' ? r.sft_steps + r.max_steps : r.max_steps;
}

/** IndexedDB through idb-keyval (browser and workers). */
export function idbStore(dbName = 'webgrpo', storeName = 'checkpoints'): BlobStore {
  const s: UseStore = createStore(dbName, storeName);
  return {
    get: (k) => get<Uint8Array>(k, s),
    set: (k, v) => set(k, v, s),
    del: (k) => del(k, s),
    keys: async (prefix) => (await keys<string>(s)).filter((k) => typeof k === 'string' && k.startsWith(prefix)),
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

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE, as zip and PNG). */
export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
