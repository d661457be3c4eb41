// Writing a model back out as a Hugging Face folder (config.json + model.safetensors), optionally with a
// LoRA adapter merged into the base weights (W' = W + scale * B A), as PEFT's merge_and_unload does.
// Used to make the bundled demo model and to export a merged model that any HF tool loads.
import * as tf from '../tf.ts';
import type { ModelSpec } from './spec.ts';
import type { ModelWeights, LayerWeights } from './weights.ts';
import { writeSafetensors } from './safetensors.ts';
import { dense, type Matrix } from './packed.ts';
import { LORA_TARGETS } from '../config.ts';
import type { LoraAdapter } from '../lora.ts';

/** config.json for a spec, in transformers' field names. */
export function hfConfig(spec: ModelSpec): Record<string, unknown> {
  const cls = { qwen2: 'Qwen2ForCausalLM', llama: 'LlamaForCausalLM', qwen3: 'Qwen3ForCausalLM' }[spec.arch];
  return {
    architectures: [cls],
    model_type: spec.arch,
    vocab_size: spec.vocabSize,
    hidden_size: spec.hidden,
    intermediate_size: spec.intermediate,
    num_hidden_layers: spec.layers,
    num_attention_heads: spec.heads,
    num_key_value_heads: spec.kvHeads,
    head_dim: spec.headDim,
    hidden_act: 'silu',
    max_position_embeddings: spec.maxPositions,
    rms_norm_eps: spec.rmsNormEps,
    rope_theta: spec.ropeTheta,
    tie_word_embeddings: spec.tieEmbeddings,
    attention_bias: spec.arch === 'llama' ? spec.oBias : undefined,
    mlp_bias: spec.mlpBias,
    bos_token_id: spec.bosTokenId,
    eos_token_id: spec.eosTokenIds.length === 1 ? spec.eosTokenIds[0] : spec.eosTokenIds,
    pad_token_id: spec.padTokenId,
    torch_dtype: 'float32',
    use_cache: true,
  };
}

/** model.safetensors bytes of the weights, with the adapter merged in when given. */
export async function weightsToSafetensors(
  spec: ModelSpec,
  w: ModelWeights,
  lora?: LoraAdapter | null,
): Promise<Uint8Array> {
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  const put = async (name: string, m: tf.Tensor | Matrix) => {
    const t = dense(m as Matrix); // 16-bit matrices are written as their f32 values
    out[name] = { shape: t.shape, data: Float32Array.from((await t.data()) as Float32Array) };
    if (t !== m) t.dispose();
  };
  await put('model.embed_tokens.weight', w.embed);
  await put('model.norm.weight', w.norm);
  if (!spec.tieEmbeddings) await put('lm_head.weight', w.lmHead);
  for (let l = 0; l < spec.layers; l++) {
    const L = w.layers[l],
      p = `model.layers.${l}.`;
    await put(`${p}input_layernorm.weight`, L.inputNorm);
    await put(`${p}post_attention_layernorm.weight`, L.postNorm);
    if (L.qNorm) await put(`${p}self_attn.q_norm.weight`, L.qNorm);
    if (L.kNorm) await put(`${p}self_attn.k_norm.weight`, L.kNorm);
    for (const t of LORA_TARGETS) {
      const mod = t.endsWith('_proj') && ['gate_proj', 'up_proj', 'down_proj'].includes(t) ? 'mlp' : 'self_attn';
      const merged = mergedWeight(L, l, t, lora);
      await put(`${p}${mod}.${t}.weight`, merged);
      if (merged !== L[t]) merged.dispose();
      const b = L.bias[t];
      if (b) await put(`${p}${mod}.${t}.bias`, b);
    }
  }
  return writeSafetensors(out);
}

function mergedWeight(L: LayerWeights, l: number, t: (typeof LORA_TARGETS)[number], lora?: LoraAdapter | null): Matrix {
  const pair = lora?.get(l, t);
  if (!pair || !lora) return L[t];
  return tf.tidy(() => tf.add(dense(L[t]), tf.mul(tf.matMul(pair.B, pair.A), lora.scaleOf(pair))) as tf.Tensor2D); // [out, in]
}
