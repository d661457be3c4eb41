// A fixture model rewritten as a bf16 checkpoint in two safetensors shards with an index (as the Hub keeps
// large models), for the streaming-load tests in Node and in Chromium (e2e/weights16.spec.ts). Free of tfjs,
// which Playwright's loader cannot import.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSafetensors } from '../../src/engine/model/safetensors.ts';
import { FIXTURE_ROOT } from './fixtures.ts';

export const UNUSED = 'model.rotary_emb.inv_freq'; // in old checkpoints; not a weight of the model

type Data = { dtype: 'BF16' | 'F32'; shape: number[]; bytes: Uint8Array };

function writeFile(file: string, tensors: [string, Data][]): void {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let off = 0;
  for (const [n, t] of tensors) {
    header[n] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + t.bytes.byteLength] };
    off += t.bytes.byteLength;
  }
  const h = new TextEncoder().encode(JSON.stringify(header)),
    len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(h.length), true);
  fs.writeFileSync(file, Buffer.concat([len, h, ...tensors.map(([, t]) => t.bytes)]));
}

/**
 * The qwen2 fixture as a bf16 checkpoint in two shards with an index, plus an unused tensor. `f32Matrix`
 * names a matrix written as F32 (its bf16-rounded values, so the model's values do not change).
 */
export function writeSharded(o: { f32Matrix?: string; drop?: string; arch?: string } = {}): string {
  const FIXTURE = path.join(FIXTURE_ROOT, o.arch ?? 'qwen2');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'webgrpo-stream-'));
  for (const f of ['config.json', 'generation_config.json']) fs.copyFileSync(path.join(FIXTURE, f), path.join(tmp, f));
  const all: [string, Data][] = [...readSafetensors(fs.readFileSync(path.join(FIXTURE, 'model.safetensors')))]
    .filter(([n]) => n !== o.drop)
    .map(([n, t]) => {
      const bits = toBf16(t.data as Float32Array);
      if (n !== o.f32Matrix) return [n, { dtype: 'BF16', shape: t.shape, bytes: new Uint8Array(bits.buffer) }];
      const u32 = Uint32Array.from(bits, (b) => b << 16);
      return [n, { dtype: 'F32', shape: t.shape, bytes: new Uint8Array(u32.buffer) }];
    });
  all.push([UNUSED, { dtype: 'F32', shape: [4], bytes: new Uint8Array(16) }]);
  all.sort((a, b) => a[0].localeCompare(b[0]));
  const half = Math.ceil(all.length / 2),
    shards = [all.slice(0, half), all.slice(half)],
    names = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
  const weightMap: Record<string, string> = {};
  shards.forEach((s, i) => {
    writeFile(path.join(tmp, names[i]), s);
    for (const [n] of s) weightMap[n] = names[i];
  });
  fs.writeFileSync(path.join(tmp, 'model.safetensors.index.json'), JSON.stringify({ weight_map: weightMap }));
  return tmp;
}

/** bf16 bits of f32 values, rounded to nearest even (finite values; the fixtures have no NaN). */
function toBf16(x: Float32Array): Uint16Array {
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
  return Uint16Array.from(u, (v) => (v + 0x7fff + ((v >>> 16) & 1)) >>> 16);
}
