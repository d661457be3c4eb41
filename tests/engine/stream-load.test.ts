// Streaming load (model/loader.ts) on the CPU backend: every weight reaches the backend before the next
// chunk of its shard is read, in the storage the 16-bit choice gives it (packed for a bf16 checkpoint with
// "stored", f32 for "f32" or a checkpoint whose shards disagree), tensors the model does not use are read
// past, and a broken or incomplete folder leaves no tensor behind.
import { describe, it, expect, beforeAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '../../src/engine/tf.ts';
import { initBackend } from '../../src/engine/backend.ts';
import { CausalLM } from '../../src/engine/model/model.ts';
import { dirSource } from '../../src/engine/model/node-source.ts';
import { loadWeights, readModelFolder } from '../../src/engine/model/loader.ts';
import { readSafetensorsHeader } from '../../src/engine/model/safetensors.ts';
import { isPacked } from '../../src/engine/model/packed.ts';
import { disposeWeights, weightNames, type ModelWeights } from '../../src/engine/model/weights.ts';
import type { FileSource } from '../../src/engine/model/source.ts';
import { fullLogits } from '../../src/engine/infer.ts';
import { REFERENCE } from '../../src/engine/ops/index.ts';
import { writeSharded } from './sharded-fixture.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

/**
 * A folder whose shards arrive in chunks of `chunk` bytes; before each chunk is handed over it records how
 * many tensors the backend holds and how many of the model's tensors lay wholly in the bytes already read.
 */
function chunkedSource(dir: string, chunk: number, wanted: Set<string>) {
  const base = dirSource(dir);
  const seen: { alive: number; complete: number }[] = [];
  let before = 0; // the model's tensors in the shards already read
  const start = tf.memory().numTensors;
  const src: FileSource = {
    where: dir,
    read: (name) => base.read(name),
    async stream(name) {
      const bytes = new Uint8Array(fs.readFileSync(path.join(dir, name)));
      const { header, dataStart } = readSafetensorsHeader(bytes);
      const ends = Object.entries(header)
        .filter(([n]) => wanted.has(n))
        .map(([, e]) => dataStart + e.data_offsets[1]);
      return (async function* () {
        for (let p = 0; p < bytes.length; p += chunk) {
          const complete = before + ends.filter((e) => e <= p).length;
          seen.push({ alive: tf.memory().numTensors - start, complete });
          yield bytes.slice(p, p + chunk);
        }
        before += ends.length;
      })();
    },
  };
  return { src, seen };
}

async function logits(m: CausalLM): Promise<Float32Array> {
  const l = fullLogits(m, null, [[0, 3, 4, 5, 6]], [[0, 1, 1, 1, 1]], REFERENCE);
  const x = (await l.data()) as Float32Array;
  l.dispose();
  return x;
}

const maxDiff = (a: Float32Array, b: Float32Array) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

describe('streaming load', () => {
  it('puts each weight on the backend before the next chunk is read, packed 16-bit as stored', async () => {
    const dir = writeSharded(),
      base = tf.memory().numTensors;
    const wanted = weightNames((await readModelFolder(dirSource(dir))).spec);
    const { src, seen } = chunkedSource(dir, 1024, wanted);
    const calls: (string | null)[] = [];
    const { weights } = await loadWeights(src, { beforeMatrices: (_, f) => calls.push(f) });
    expect(seen.length).toBeGreaterThan(20);
    // exactly the tensors whose bytes are complete are on the backend whenever a chunk is asked for: each is
    // placed as it arrives (not at the end), and nothing is placed ahead of its bytes
    for (const s of seen) expect(s.alive).toBe(s.complete);
    expect(seen.at(-1)!.complete).toBeGreaterThan(0);
    expect(calls).toEqual(['bf16']);
    expect(isPacked(weights.embed) && isPacked(weights.layers[0].q_proj)).toBe(true);
    expect(isPacked(weights.norm)).toBe(false);
    disposeWeights(weights);
    expect(tf.memory().numTensors).toBe(base);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same model streamed, packed or widened, and widens all when a later shard disagrees', async () => {
    const dir = writeSharded(),
      mixed = writeSharded({ f32Matrix: 'model.layers.1.mlp.up_proj.weight' });
    const before = tf.memory().numTensors;
    const packed = await CausalLM.load(dirSource(dir)),
      wide = await CausalLM.load(dirSource(dir), undefined, { weightDtype: 'f32' });
    const calls: (string | null)[] = [];
    const m = await loadWeights(dirSource(mixed), { beforeMatrices: (_, f) => calls.push(f) });
    const mix = new CausalLM(m.spec, m.weights);
    expect(calls).toEqual(['bf16', null]); // the first shard's bf16, then f32 once the second disagrees
    const all = (w: ModelWeights) => [w.embed, ...w.layers.flatMap((l) => [l.q_proj, l.up_proj, l.down_proj])];
    expect(all(mix.weights).some(isPacked)).toBe(false);
    expect(all(wide.weights).some(isPacked)).toBe(false);
    const [a, b, c] = [await logits(packed), await logits(wide), await logits(mix)];
    expect(maxDiff(a, b)).toBeLessThan(1e-5);
    expect(maxDiff(b, c)).toBe(0);
    for (const x of [packed, wide, mix]) x.dispose();
    expect(tf.memory().numTensors).toBe(before);
    for (const d of [dir, mixed]) fs.rmSync(d, { recursive: true, force: true });
  });

  it('a missing weight or a cut-off shard fails with what to do and leaves no tensor behind', async () => {
    const missing = writeSharded({ drop: 'model.layers.1.self_attn.v_proj.weight' }),
      cut = writeSharded();
    const shard = path.join(cut, 'model-00002-of-00002.safetensors');
    fs.truncateSync(shard, fs.statSync(shard).size - 10);
    const before = tf.memory().numTensors;
    await expect(CausalLM.load(dirSource(missing))).rejects.toThrow(/v_proj.weight is missing/);
    await expect(CausalLM.load(dirSource(cut))).rejects.toThrow(/download is incomplete/);
    expect(tf.memory().numTensors).toBe(before);
    for (const d of [missing, cut]) fs.rmSync(d, { recursive: true, force: true });
  });
});
