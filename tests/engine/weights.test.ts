// Loading weights: sharded safetensors with an index, bf16 and f16 on disk, clear errors for broken folders.
import { describe, it, expect, beforeAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '../../src/engine/tf.ts';
import { initBackend } from '../../src/engine/backend.ts';
import { CausalLM } from '../../src/engine/model/model.ts';
import { dirSource } from '../../src/engine/model/node-source.ts';
import { readSafetensors, bf16ToF32, f16ToF32 } from '../../src/engine/model/safetensors.ts';
import { parseModelSpec, ropeInvFreq, UnsupportedModelError } from '../../src/engine/model/spec.ts';
import { estimateMemory, assertFits, ModelTooLargeError } from '../../src/engine/memory.ts';
import { BENCH_SHAPES } from '../../src/engine/bench/shapes.ts';
import { fullLogits } from '../../src/engine/infer.ts';
import { fixtureDirs } from './fixtures.ts';
import { REFERENCE } from '../../src/engine/ops/index.ts';

beforeAll(async () => {
  await initBackend('cpu');
});
const dir = fixtureDirs()[0];

/** Writes tensors as safetensors with a chosen dtype for each (F32 or BF16). */
function writeSt(file: string, tensors: [string, { shape: number[]; data: Float32Array }][], dtype: 'F32' | 'BF16') {
  const header: Record<string, unknown> = {};
  const parts: Uint8Array[] = [];
  let off = 0;
  for (const [n, t] of tensors) {
    const bytes =
      dtype === 'F32'
        ? new Uint8Array(t.data.buffer.slice(0))
        : new Uint8Array(Uint16Array.from(new Uint32Array(t.data.buffer.slice(0)), (x) => x >>> 16).buffer);
    header[n] = { dtype, shape: t.shape, data_offsets: [off, off + bytes.length] };
    parts.push(bytes);
    off += bytes.length;
  }
  const h = new TextEncoder().encode(JSON.stringify(header));
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(h.length), true);
  fs.writeFileSync(file, Buffer.concat([len, h, ...parts]));
}

describe('weights', () => {
  it('a sharded bf16 copy loads and gives the logits of the f32 model to bf16 precision', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'webgrpo-shard-'));
    for (const f of ['config.json', 'generation_config.json']) fs.copyFileSync(path.join(dir, f), path.join(tmp, f));
    const all = [...readSafetensors(fs.readFileSync(path.join(dir, 'model.safetensors')))].map(
      ([n, t]) =>
        [n, { shape: t.shape, data: t.data as Float32Array }] as [string, { shape: number[]; data: Float32Array }],
    );
    const half = Math.ceil(all.length / 2);
    writeSt(path.join(tmp, 'model-00001-of-00002.safetensors'), all.slice(0, half), 'BF16');
    writeSt(path.join(tmp, 'model-00002-of-00002.safetensors'), all.slice(half), 'BF16');
    const weight_map = Object.fromEntries(
      all.map(([n], i) => [n, i < half ? 'model-00001-of-00002.safetensors' : 'model-00002-of-00002.safetensors']),
    );
    fs.writeFileSync(path.join(tmp, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map }));
    const a = await CausalLM.load(dirSource(dir)),
      b = await CausalLM.load(dirSource(tmp));
    const ids = [[3, 4, 5, 6]],
      mask = [[1, 1, 1, 1]];
    const la = fullLogits(a, null, ids, mask, REFERENCE),
      lb = fullLogits(b, null, ids, mask, REFERENCE);
    const x = await la.data(),
      y = await lb.data();
    const err = Math.max(...Array.from(x, (v, i) => Math.abs(v - y[i])));
    expect(err).toBeGreaterThan(0); // really bf16
    expect(err).toBeLessThan(0.05);
    tf.dispose([la, lb]);
    a.dispose();
    b.dispose();
  });

  it('converts bf16 and f16 exactly', () => {
    expect(Array.from(bf16ToF32(Uint16Array.from([0x3f80, 0xc000, 0x0000])))).toEqual([1, -2, 0]);
    expect(Array.from(f16ToF32(Uint16Array.from([0x3c00, 0xc000, 0x3555, 0x7c00])))).toEqual([
      1,
      -2,
      0.333251953125,
      Infinity,
    ]);
  });

  it('names what is wrong with a broken folder', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'webgrpo-bad-'));
    await expect(CausalLM.load(dirSource(tmp))).rejects.toThrow(/no config.json/);
    fs.writeFileSync(path.join(tmp, 'config.json'), JSON.stringify({ model_type: 'gpt2' }));
    await expect(CausalLM.load(dirSource(tmp))).rejects.toThrow(UnsupportedModelError);
    fs.copyFileSync(path.join(dir, 'config.json'), path.join(tmp, 'config.json'));
    await expect(CausalLM.load(dirSource(tmp))).rejects.toThrow(/model.safetensors is missing/);
    fs.writeFileSync(path.join(tmp, 'model.safetensors'), Buffer.from([1, 2, 3]));
    await expect(CausalLM.load(dirSource(tmp))).rejects.toThrow(/not a safetensors file/);
  });
});

describe('spec', () => {
  it('reads Llama 3 rope scaling and applies it to long wavelengths only', () => {
    const spec = parseModelSpec({
      model_type: 'llama',
      vocab_size: 10,
      hidden_size: 64,
      intermediate_size: 128,
      num_hidden_layers: 1,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      rope_theta: 500000,
      rope_scaling: {
        rope_type: 'llama3',
        factor: 8,
        low_freq_factor: 1,
        high_freq_factor: 4,
        original_max_position_embeddings: 8192,
      },
    });
    const plain = ropeInvFreq({ ...spec, ropeScaling: { ...spec.ropeScaling, type: 'default' } });
    const scaled = ropeInvFreq(spec);
    expect(scaled[0]).toBeCloseTo(plain[0], 10); // short wavelength: unchanged
    expect(scaled[scaled.length - 1]).toBeCloseTo(plain[plain.length - 1] / 8, 10); // long: divided by factor
  });
});

describe('memory estimate', () => {
  it('refuses a model that cannot fit, saying what to change', () => {
    const est = estimateMemory(BENCH_SHAPES['qwen2.5-0.5b'].spec, {
      rows: 8,
      promptTokens: 128,
      completionTokens: 256,
      microBatch: 2,
      loraRank: 16,
      loraTargets: 7,
    });
    expect(est.weights).toBeGreaterThan(1.9e9);
    expect(() => assertFits(est, null, 1e9)).toThrow(ModelTooLargeError);
    expect(() => assertFits(est, { backend: 'webgpu', device: 'x', maxStorageBufferBindingSize: 128 << 20 })).toThrow(
      /one GPU buffer/,
    );
    expect(() =>
      assertFits(est, { backend: 'webgpu', device: 'x', maxStorageBufferBindingSize: 2 ** 31 }, 2 ** 36),
    ).not.toThrow();
  });

  it('counts less training memory with gradient checkpointing and the chunked LM head', () => {
    const shape = { rows: 8, promptTokens: 128, completionTokens: 256, microBatch: 2, loraRank: 16, loraTargets: 7 };
    const spec = BENCH_SHAPES['qwen2.5-0.5b'].spec;
    const chunked = estimateMemory(spec, shape),
      whole = estimateMemory(spec, { ...shape, wholeLogits: true });
    const ckpt = estimateMemory(spec, { ...shape, checkpointing: true });
    expect(whole.activations - chunked.activations).toBeGreaterThan(4e9); // 15 x 512 x 151,936 x 4 bytes, against 6 chunks of 64 MiB
    expect(ckpt.activations).toBeLessThan(chunked.activations / 4);
    expect(ckpt.weights).toBe(chunked.weights);
  });
});
