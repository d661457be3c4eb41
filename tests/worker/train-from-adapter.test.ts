// A run started from an imported PEFT adapter trains that adapter further: its own modules (a regex
// target_modules over some layers), ranks (rank_pattern) and scales (alpha_pattern). At step 0 the run's
// LoRA weights are the adapter's and its logits and evaluation are the evaluated adapter's; a config whose
// lora section says otherwise is refused naming the field; the trained adapter exports, restores from a
// checkpoint and loads back with the same layout.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, parseRunConfig } from '../../src/engine/config.ts';
import { LoraAdapter } from '../../src/engine/lora.ts';
import { adapterLora, startingAdapter, withAdapterLora } from '../../src/engine/lora-start.ts';
import { readSafetensors, writeSafetensors } from '../../src/engine/model/safetensors.ts';
import { fullLogits } from '../../src/engine/infer.ts';
import { REFERENCE } from '../../src/engine/ops/index.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import type { CausalLM } from '../../src/engine/model/model.ts';
import { adapterOf } from '../../src/worker/saved-runs.ts';
import { FIXTURE_ROOT, maxAbsDiff } from '../engine/fixtures.ts';
import { loadTiny, toyConfig, toyDeps } from '../engine/trainer-helpers.ts';
import { initBackend } from '../../src/engine/backend.ts';
import { config as sessionConfig, disposeModel, isState, loadModel, setup } from './session-helpers.ts';
import type { EvalResult, TrainerEvent } from '../../src/worker/protocol.ts';

const dir = path.join(FIXTURE_ROOT, 'qwen2', 'lora');
const REGEX = 'model\\.layers\\.0\\.self_attn\\.(q|v)_proj|model\\.layers\\.1\\.mlp\\.down_proj';
const MODULES = ['0.q_proj', '0.v_proj', '1.down_proj'];
type T = Record<string, { shape: number[]; data: Float32Array }>;

/** The fixture's PEFT adapter cut to three modules, v_proj at rank 2, q_proj with its own alpha. */
function importedAdapter(): { config: Record<string, unknown>; weights: Uint8Array; tensors: T } {
  const base = JSON.parse(fs.readFileSync(path.join(dir, 'adapter_config.json'), 'utf8'));
  const all = readSafetensors(new Uint8Array(fs.readFileSync(path.join(dir, 'adapter_model.safetensors'))));
  const tensors: T = {};
  for (const [name, t] of all) {
    if (!/layers\.0\.self_attn\.(q|v)_proj|layers\.1\.mlp\.down_proj/.test(name)) continue;
    let data = Float32Array.from(t.data as Float32Array),
      shape = t.shape;
    if (name.includes('v_proj') && name.includes('lora_A'))
      [data, shape] = [data.slice(0, 2 * shape[1]), [2, shape[1]]];
    if (name.includes('v_proj') && name.includes('lora_B'))
      [data, shape] = [data.filter((_, i) => i % shape[1] < 2), [shape[0], 2]];
    // larger updates than the fixture's, so that greedy answers differ from the base model's
    if (name.includes('lora_B')) data = data.map((x) => x * 40);
    tensors[name] = { shape, data };
  }
  const config = { ...base, target_modules: REGEX, rank_pattern: { v_proj: 2 }, alpha_pattern: { q_proj: 24 } };
  return { config, weights: writeSafetensors(tensors), tensors };
}

const ids = [[3, 17, 42, 9, 88, 5]],
  mask = [[1, 1, 1, 1, 1, 1]];
async function logitsOf(model: CausalLM, lora: LoraAdapter): Promise<Float32Array> {
  const out = fullLogits(model, lora, ids, mask, REFERENCE);
  const data = (await out.data()) as Float32Array;
  out.dispose();
  return data;
}

describe('a run started from an imported adapter', () => {
  let model: CausalLM;
  beforeAll(async () => {
    await initBackend('cpu');
    model = await loadTiny('qwen2');
    await loadModel();
  });
  afterAll(() => {
    model.dispose();
    disposeModel();
  });

  it("has the adapter's weights, modules, ranks and scales at step 0, and its logits", async () => {
    const a = importedAdapter();
    const cfg = toyConfig({ lora: adapterLora(a.config) });
    expect(cfg.lora).toMatchObject({ r: 4, alpha: 8, target_modules: ['q_proj', 'v_proj', 'down_proj'] });
    const t = Trainer.create(cfg, toyDeps(model), startingAdapter(model.spec, cfg, a));
    expect([...t.lora.pairs.keys()]).toEqual(MODULES);
    const out = await t.lora.toPeft('tiny');
    const back = readSafetensors(out.weights);
    expect([...back.keys()].sort()).toEqual(Object.keys(a.tensors).sort());
    for (const [name, want] of Object.entries(a.tensors)) {
      expect(back.get(name)!.shape, name).toEqual(want.shape);
      expect(maxAbsDiff(back.get(name)!.data as Float32Array, want.data), name).toBe(0);
    }
    // its logits: the evaluated adapter's (loaded on its own), not the base model's
    const evaluated = LoraAdapter.fromPeft(model.spec, a.config, a.weights);
    const own = await logitsOf(model, t.lora);
    expect(maxAbsDiff(own, await logitsOf(model, evaluated))).toBe(0);
    evaluated.enabled = false;
    expect(maxAbsDiff(own, await logitsOf(model, evaluated))).toBeGreaterThan(1e-3);
    evaluated.dispose();
    t.dispose();
  });

  it('trains it, checkpoints it with its layout, and exports an adapter that loads back', async () => {
    const a = importedAdapter();
    const cfg = toyConfig({ lora: adapterLora(a.config), run: { max_steps: 2 } });
    const t = Trainer.create(cfg, toyDeps(model), startingAdapter(model.spec, cfg, a));
    const step = await t.trainStep();
    expect(Number.isFinite(step.metrics.values.loss)).toBe(true);
    const trained = await t.lora.toPeft('tiny');
    expect(trained.config.target_modules).toEqual([
      'model.layers.0.self_attn.q_proj',
      'model.layers.0.self_attn.v_proj',
      'model.layers.1.mlp.down_proj',
    ]);
    expect(trained.config.rank_pattern).toEqual({ 'model\\.layers\\.0\\.self_attn\\.v_proj': 2 });
    expect(trained.config.alpha_pattern).toEqual({ 'model\\.layers\\.0\\.self_attn\\.q_proj': 24 });
    const moved = readSafetensors(trained.weights).get(Object.keys(a.tensors).find((n) => n.includes('lora_B'))!)!;
    expect(
      maxAbsDiff(moved.data as Float32Array, a.tensors[Object.keys(a.tensors).find((n) => n.includes('lora_B'))!].data),
    ).toBeGreaterThan(0);
    // loads back as PEFT files: the same update
    const again = LoraAdapter.fromPeft(model.spec, JSON.parse(JSON.stringify(trained.config)), trained.weights);
    expect(maxAbsDiff(await logitsOf(model, again), await logitsOf(model, t.lora))).toBeLessThan(1e-6);
    again.dispose();
    // a checkpoint keeps the layout: restored, and exported from storage without a model, it is the same
    const snap = await t.snapshot();
    const r = Trainer.restore(snap, toyDeps(model));
    expect([...r.lora.pairs.keys()]).toEqual(MODULES);
    const restored = await r.lora.toPeft('tiny');
    expect(restored.config).toEqual(trained.config);
    expect(Buffer.from(restored.weights).equals(Buffer.from(trained.weights))).toBe(true);
    const saved = adapterOf(snap);
    expect({ ...saved.config, base_model_name_or_path: 'tiny' }).toEqual(trained.config);
    expect(Buffer.from(saved.weights).equals(Buffer.from(trained.weights))).toBe(true);
    r.dispose();
    t.dispose();
  });

  it("refuses a config whose lora section is not the adapter's, naming each field", () => {
    const a = importedAdapter();
    const problems = (() => {
      try {
        startingAdapter(
          model.spec,
          toyConfig({ lora: { r: 8, alpha: 8, target_modules: ['q_proj', 'v_proj', 'down_proj'] } }),
          a,
        );
      } catch (e) {
        return (e as ConfigError).problems;
      }
      return [];
    })();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^lora\.r: 8 in the run config, but the adapter's largest rank is 4; .* set lora\.r to 4/,
    );
    // a file's config: what it leaves out comes from the adapter, what it sets must match
    const filled = parseRunConfig(withAdapterLora({ lora: { dropout: 0.1 } }, a.config, '--config c.json'));
    expect(filled.lora).toMatchObject({
      r: 4,
      alpha: 8,
      dropout: 0.1,
      target_modules: ['q_proj', 'v_proj', 'down_proj'],
    });
    expect(() => withAdapterLora({ lora: { alpha: 16 } }, a.config, '--config c.json')).toThrow(
      /lora\.alpha: 16 in --config c\.json, but the adapter's alpha is 8/,
    );
  });

  it("through the session: the baseline evaluation is the evaluated adapter's; a conflicting config starts nothing", async () => {
    const a = importedAdapter();
    const { client, until, close } = setup();
    const wrong = await client.start(sessionConfig, a).catch((e: Error) => e);
    expect(wrong).toBeInstanceOf(Error);
    expect((wrong as Error).message).toMatch(/lora\.alpha: 32 in the run config, but the adapter's alpha is 8/);
    expect((await client.status()).state).toBe('idle');
    const cfg = { ...sessionConfig, lora: adapterLora(a.config), run: { ...sessionConfig.run, max_steps: 1 } };
    const baseline = until((e) => e.kind === 'eval') as Promise<Extract<TrainerEvent, { kind: 'eval' }>>;
    const done = until(isState('done'));
    await client.start(cfg, a);
    const atStart = (await baseline).result;
    await done;
    const evaluated: EvalResult = await client.evaluateModel(cfg, a);
    const base: EvalResult = await client.evaluateModel(cfg, null);
    const answers = (r: EvalResult) => r.examples.map((x) => x.completions);
    expect(atStart.step).toBe(0);
    expect(answers(atStart)).toEqual(answers(evaluated));
    expect(answers(atStart)).not.toEqual(answers(base));
    const exported = await client.exportAdapter();
    expect(exported.config.target_modules).toHaveLength(3);
    close();
  });
});
