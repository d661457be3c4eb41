// The bundled demo model before training: a tiny Qwen2-architecture model with a character-level
// tokenizer in Hugging Face's tokenizer.json format, so the same loading code serves it and real models.
// Weights are drawn from a seeded generator, so the result is the same on every machine.
//
// Departure from Hugging Face's initialisation (normal, std 0.02): webgrpo trains only LoRA adapters, so
// the embedding (tied to the LM head) stays as initialised; with std 0.02 its logits could never become
// confident. Embeddings use std 0.3 and projections 1/sqrt(fan_in).
import { Rng } from '../../engine/rng.ts';
import { DEMO_SPEC, DEMO_CHARS as CHARS, DEMO_SPECIALS as SPECIALS } from '../../engine/model/demo-spec.ts';

export { DEMO_SPEC };
import { hfConfig } from '../../engine/model/save.ts';
import { writeSafetensors } from '../../engine/model/safetensors.ts';
import { projShape } from '../../engine/lora.ts';
import { LORA_TARGETS } from '../../engine/config.ts';

export function tokenizerFiles(): { 'tokenizer.json': unknown; 'tokenizer_config.json': unknown } {
  const vocab: Record<string, number> = {};
  [...SPECIALS, ...CHARS].forEach((t, i) => {
    vocab[t] = i;
  });
  return {
    'tokenizer.json': {
      version: '1.0',
      truncation: null,
      padding: null,
      normalizer: null,
      post_processor: null,
      added_tokens: SPECIALS.map((content, id) => ({
        id,
        content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      })),
      pre_tokenizer: { type: 'Split', pattern: { Regex: '.|\\n' }, behavior: 'Isolated', invert: false },
      decoder: { type: 'Fuse' },
      model: { type: 'WordLevel', vocab, unk_token: '<pad>' },
    },
    'tokenizer_config.json': {
      tokenizer_class: 'PreTrainedTokenizerFast',
      bos_token: '<s>',
      eos_token: '</s>',
      pad_token: '<pad>',
      model_max_length: 256,
      add_bos_token: false,
    },
  };
}

/** config.json, generation_config.json and model.safetensors of the untrained model. */
export function baseModelFiles(seed: number): Record<string, Uint8Array | unknown> {
  const s = DEMO_SPEC,
    rng = new Rng(seed);
  const normal = (n: number, std: number) => Float32Array.from({ length: n }, () => rng.normal() * std);
  const t: Record<string, { shape: number[]; data: Float32Array }> = {};
  t['model.embed_tokens.weight'] = { shape: [s.vocabSize, s.hidden], data: normal(s.vocabSize * s.hidden, 0.3) };
  t['model.norm.weight'] = { shape: [s.hidden], data: new Float32Array(s.hidden).fill(1) };
  for (let l = 0; l < s.layers; l++) {
    const p = `model.layers.${l}.`;
    t[`${p}input_layernorm.weight`] = { shape: [s.hidden], data: new Float32Array(s.hidden).fill(1) };
    t[`${p}post_attention_layernorm.weight`] = { shape: [s.hidden], data: new Float32Array(s.hidden).fill(1) };
    for (const name of LORA_TARGETS) {
      const [inF, outF] = projShape(s, name),
        mod = ['gate_proj', 'up_proj', 'down_proj'].includes(name) ? 'mlp' : 'self_attn';
      t[`${p}${mod}.${name}.weight`] = { shape: [outF, inF], data: normal(outF * inF, 1 / Math.sqrt(inF)) };
      if (mod === 'self_attn' && name !== 'o_proj')
        t[`${p}${mod}.${name}.bias`] = { shape: [outF], data: new Float32Array(outF) };
    }
  }
  return {
    'config.json': hfConfig(s),
    'generation_config.json': { bos_token_id: 1, eos_token_id: 2, pad_token_id: 0, do_sample: true, temperature: 1.0 },
    'model.safetensors': writeSafetensors(t),
    ...tokenizerFiles(),
  };
}
