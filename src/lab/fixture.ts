// A Hugging Face fixture folder served to the lab page (the layout of tests/engine/fixtures.ts: the model,
// a PEFT adapter under lora/, reference.safetensors), loaded the one way every lab check needs it.
//
//   const { model, lora } = await loadFixture('/fixtures/qwen2'); ... lora.dispose(); model.dispose()
import { CausalLM } from '../engine/model/model.ts';
import { urlSource } from '../engine/model/source.ts';
import { LoraAdapter } from '../engine/lora.ts';
import { readSafetensors, type StTensor } from '../engine/model/safetensors.ts';

export async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`GET ${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

/** The fixture's model and its PEFT adapter (lora/); the caller disposes both. */
export async function loadFixture(base: string): Promise<{ model: CausalLM; lora: LoraAdapter }> {
  const model = await CausalLM.load(urlSource(base));
  try {
    const lora = LoraAdapter.fromPeft(
      model.spec,
      JSON.parse(new TextDecoder().decode(await fetchBytes(`${base}/lora/adapter_config.json`))),
      await fetchBytes(`${base}/lora/adapter_model.safetensors`),
    );
    return { model, lora };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** The fixture's reference outputs (reference.safetensors), by name. */
export async function loadReference(base: string): Promise<Map<string, StTensor>> {
  return readSafetensors(await fetchBytes(`${base}/reference.safetensors`));
}
