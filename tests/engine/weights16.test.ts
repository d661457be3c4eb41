// 16-bit weight storage (model/packed.ts) on the CPU backend: rounding and packing, loading a bf16/f16
// checkpoint with model.weight_dtype "stored" (packed) or "f32", parity of the packed model with the f32
// model of the same values (logits, greedy tokens, LoRA gradients) and the memory estimate.
import { describe, it, expect, beforeAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '../../src/engine/tf.ts';
import { initBackend } from '../../src/engine/backend.ts';
import { CausalLM } from '../../src/engine/model/model.ts';
import { dirSource } from '../../src/engine/model/node-source.ts';
import { LoraAdapter } from '../../src/engine/lora.ts';
import { bf16ToF32, f16ToF32, readSafetensors } from '../../src/engine/model/safetensors.ts';
import { isPacked, packTensor, dense, roundBits, unpackBits, type Format16 } from '../../src/engine/model/packed.ts';
import { weightBytes } from '../../src/engine/model/weights.ts';
import { estimateMemory, weightValueBytes } from '../../src/engine/memory.ts';
import { parseRunConfig } from '../../src/engine/config.ts';
import { fullLogits } from '../../src/engine/infer.ts';
import { REFERENCE } from '../../src/engine/ops/index.ts';
import { parity16 } from '../../src/lab/entries/weights16.ts';
import { BENCH_SHAPES } from '../../src/engine/bench/shapes.ts';
import { fixtureDirs } from './fixtures.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

/** A copy of a fixture folder with its weights written as `dtype` (F32 tensors rounded to nearest even). */
function writeCopy(dir: string, dtype: 'BF16' | 'F16'): string {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'webgrpo-16-'));
  for (const f of ['config.json', 'generation_config.json']) fs.copyFileSync(path.join(dir, f), path.join(tmp, f));
  const header: Record<string, unknown> = {},
    parts: Uint8Array[] = [];
  let off = 0;
  for (const [n, t] of readSafetensors(fs.readFileSync(path.join(dir, 'model.safetensors')))) {
    const bits = roundBits(t.data as Float32Array, dtype === 'BF16' ? 'bf16' : 'f16');
    header[n] = { dtype, shape: t.shape, data_offsets: [off, off + bits.byteLength] };
    parts.push(new Uint8Array(bits.buffer));
    off += bits.byteLength;
  }
  const h = new TextEncoder().encode(JSON.stringify(header)),
    len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(h.length), true);
  fs.writeFileSync(path.join(tmp, 'model.safetensors'), Buffer.concat([len, h, ...parts]));
  return tmp;
}

describe('16-bit rounding and packing', () => {
  it('rounds to nearest even and unpacks to the values the checkpoint readers give', () => {
    const x = Float32Array.from([1, -2, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 0.1, 65504, 70000, 1e-8, 2 ** -20, -0]);
    const bf = roundBits(x, 'bf16');
    expect(Array.from(bf.slice(0, 4))).toEqual([0x3f80, 0xc000, 0x3f80, 0x3f82]); // ties go to the even mantissa
    // f16 keeps 10 mantissa bits: 1 + 2^-11 is a tie (down to even), 1 + 3 * 2^-11 too (up to even)
    const y = Float32Array.from([1, -2, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 0.1, 65504, 70000, 1e-8, 2 ** -20, -0]);
    const f16 = roundBits(y, 'f16');
    expect(Array.from(f16)).toEqual([0x3c00, 0xc000, 0x3c00, 0x3c02, 0x2e66, 0x7bff, 0x7c00, 0x0000, 0x0010, 0x8000]);
    for (const [f, bits, widen] of [
      ['bf16', bf, bf16ToF32],
      ['f16', f16, f16ToF32],
    ] as const) {
      const words = new Int32Array(bits.buffer);
      expect(Array.from(unpackBits(words, f))).toEqual(Array.from(widen(bits)));
    }
  });

  it('packTensor and dense round-trip a matrix through int32 words of half the size', async () => {
    const t = tf.tensor2d([0.5, -1.25, 3, 7.75, 1e-3, -2e5], [3, 2]);
    for (const f of ['bf16', 'f16'] as Format16[]) {
      const p = packTensor(t, f);
      expect(p.data.dtype).toBe('int32');
      expect(p.data.shape).toEqual([3, 1]);
      expect(p.shape).toEqual([3, 2]);
      const d = dense(p);
      const want =
        f === 'bf16'
          ? bf16ToF32(roundBits(t.dataSync() as Float32Array, f))
          : f16ToF32(roundBits(t.dataSync() as Float32Array, f));
      expect(Array.from(await d.data())).toEqual(Array.from(want));
      tf.dispose([d]);
      p.dispose();
    }
    t.dispose();
  });
});

describe('16-bit checkpoints', () => {
  const dir = fixtureDirs()[0];
  for (const dtype of ['BF16', 'F16'] as const) {
    it(`a ${dtype} checkpoint stays packed with "stored", is widened with "f32", and both give the same logits`, async () => {
      const tmp = writeCopy(dir, dtype);
      const before = tf.memory().numTensors;
      const a = await CausalLM.load(dirSource(tmp)),
        b = await CausalLM.load(dirSource(tmp), undefined, { weightDtype: 'f32' });
      expect(isPacked(a.weights.layers[0].q_proj)).toBe(true);
      expect(isPacked(a.weights.embed)).toBe(true);
      expect(isPacked(b.weights.layers[0].q_proj)).toBe(false);
      expect(weightBytes(a.weights)).toBeLessThan(0.55 * weightBytes(b.weights));
      const ids = [[0, 3, 4, 5, 6]],
        mask = [[0, 1, 1, 1, 1]];
      const [la, lb] = [fullLogits(a, null, ids, mask, REFERENCE), fullLogits(b, null, ids, mask, REFERENCE)];
      const x = await la.data(),
        y = await lb.data();
      expect(Math.max(...Array.from(x, (v, i) => Math.abs(v - y[i])))).toBeLessThan(1e-5);
      tf.dispose([la, lb]);
      a.dispose();
      b.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('an f32 checkpoint stays f32 with "stored"', async () => {
    const m = await CausalLM.load(dirSource(dir));
    expect(isPacked(m.weights.layers[0].q_proj)).toBe(false);
    m.dispose();
  });
});

describe('16-bit parity on the CPU backend', () => {
  for (const d of fixtureDirs()) {
    for (const f of ['bf16', 'f16'] as Format16[]) {
      it(`${path.basename(d)}, ${f}: logits within 1e-4, greedy tokens equal, LoRA gradients within 1e-4`, async () => {
        const model = await CausalLM.load(dirSource(d));
        const lora = LoraAdapter.fromPeft(
          model.spec,
          JSON.parse(fs.readFileSync(path.join(d, 'lora/adapter_config.json'), 'utf8')),
          fs.readFileSync(path.join(d, 'lora/adapter_model.safetensors')),
        );
        const r = await parity16(model, lora, f);
        const p = r.paths['op-by-op'];
        expect(p.logitsErr).toBeLessThan(1e-4);
        expect(p.greedySame).toBe(true);
        expect(p.sampleLogprobErr).toBeLessThan(1e-4);
        expect(p.valueErr).toBeLessThan(1e-4);
        expect(p.gradErr).toBeLessThan(1e-4);
        expect(r.bytes16).toBeLessThan(0.55 * r.bytes32);
        expect(r.leaked).toBe(0);
        lora.dispose();
        model.dispose();
      });
    }
  }
});

describe('model.weight_dtype', () => {
  it('defaults to "stored" and still accepts "f32"', () => {
    expect(parseRunConfig({}).model.weight_dtype).toBe('stored');
    expect(parseRunConfig({ model: { weight_dtype: 'f32' } }).model.weight_dtype).toBe('f32');
    expect(() => parseRunConfig({ model: { weight_dtype: 'f16' } })).toThrow(/weight_dtype/);
  });

  it('halves the weights in the estimate for a bf16 checkpoint; Qwen2.5-1.5B fits 4 GB only in 16 bits', () => {
    const spec = { ...BENCH_SHAPES['qwen2.5-0.5b'].spec, hidden: 1536, intermediate: 8960, layers: 28, heads: 12 };
    spec.headDim = 128;
    const run = {
      rows: 16,
      promptTokens: 128,
      completionTokens: 256,
      microBatch: 1,
      loraRank: 16,
      loraTargets: 7,
      checkpointing: true,
    };
    expect(weightValueBytes('bf16', 'stored')).toBe(2);
    expect(weightValueBytes('bf16', 'f32')).toBe(4);
    expect(weightValueBytes('f32', 'stored')).toBe(4);
    const e16 = estimateMemory(spec, { ...run, weightBytes: 2 }),
      e32 = estimateMemory(spec, { ...run, weightBytes: 4 });
    expect(e16.weights).toBeCloseTo(e32.weights / 2);
    expect(e16.largestTensor).toBe(e32.largestTensor / 2);
    console.log(
      `Qwen2.5-1.5B weights: ${(e16.weights / 1e9).toFixed(2)} GB in 16 bits, ${(e32.weights / 1e9).toFixed(2)} GB in f32`,
    );
    expect(e16.weights / 1e9).toBeGreaterThan(3);
    expect(e16.weights / 1e9).toBeLessThan(3.2);
  });
});
