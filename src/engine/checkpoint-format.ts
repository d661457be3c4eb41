// A checkpoint as bytes, and the records that list a run's checkpoints: the format both the checkpoint
// store (checkpoint.ts) and the index of runs (checkpoint-index.ts) read, apart from both so that neither
// imports the other for it. Blob layout:
//   'WGCK' | u32 version | u32 crc32(rest) | u32 json bytes | JSON {config, state} | safetensors (tensors)
import { readSafetensors, writeSafetensors } from './model/safetensors.ts';
import { CheckpointCorruptError, type TensorMap, type TrainerSnapshot } from './snapshot.ts';

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
  /** Set when the run's index record was damaged or lost: what happened and what was recovered. */
  problem?: string;
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

export function totalStepsOf(snap: TrainerSnapshot): number {
  const r = snap.config.run;
  return r.mode === 'sft_then_grpo' ? r.sft_steps + r.max_steps : r.max_steps;
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
