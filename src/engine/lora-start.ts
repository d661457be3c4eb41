// Starting a run from an imported PEFT adapter: the run trains that adapter further, on its own modules at
// its own ranks and scales (lora-peft.ts reads it as PEFT applies it). Its shape is the adapter's, so the
// config's lora section must describe it: r (the largest rank), alpha, target_modules and use_rslora come
// from the adapter, and a config that says otherwise is refused naming each field; lora.dropout stays the
// run's (a training setting, not part of the adapter).
//
//   const raw2 = withAdapterLora(raw, adapterConfig, '--adapter out/')   // fills the fields a file leaves out
//   const lora = startingAdapter(spec, parseRunConfig(raw2), adapter)    // ConfigError on a conflict
import { ConfigError, type RunConfig } from './config.ts';
import { LoraAdapter } from './lora.ts';
import { peftLoraSection } from './lora-peft.ts';
import type { ModelSpec } from './model/spec.ts';

const FIELDS = ['r', 'alpha', 'target_modules', 'use_rslora'] as const;
type Field = (typeof FIELDS)[number];

const same = (a: unknown, b: unknown) =>
  Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((x) => b.includes(x)) : a === b;

const shown = (v: unknown) => (Array.isArray(v) ? v.join(', ') : String(v));

/** The LoRA fields an adapter fixes, as our config names them. */
export function adapterLora(adapterConfig: Record<string, unknown>): Pick<RunConfig['lora'], Field> {
  const s = peftLoraSection(adapterConfig);
  return { r: s.r, alpha: s.alpha, target_modules: s.target_modules, use_rslora: s.use_rslora };
}

function conflict(k: Field, ours: unknown, theirs: unknown, where: string): string {
  const what = k === 'r' ? 'largest rank' : k;
  return `lora.${k}: ${shown(ours)} in ${where}, but the adapter's ${what} is ${shown(theirs)}; a run started from an adapter keeps the adapter's shape: set lora.${k} to ${JSON.stringify(theirs)} or leave it out`;
}

/** The fields of `lora` that differ from the adapter's, one sentence each (empty: it matches). */
export function loraConflicts(
  lora: RunConfig['lora'],
  adapterConfig: Record<string, unknown>,
  where: string,
): string[] {
  const want = adapterLora(adapterConfig);
  return FIELDS.filter((k) => !same(lora[k], want[k])).map((k) => conflict(k, lora[k], want[k], where));
}

/**
 * A raw config (a file's JSON) with the adapter's LoRA fields filled in where it leaves them out; a field
 * it sets to something else is a ConfigError naming it.
 */
export function withAdapterLora(raw: unknown, adapterConfig: Record<string, unknown>, where: string): unknown {
  const base = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const given = (base.lora && typeof base.lora === 'object' ? base.lora : {}) as Record<string, unknown>;
  const want = adapterLora(adapterConfig);
  const problems = FIELDS.filter((k) => given[k] !== undefined && !same(given[k], want[k])).map((k) =>
    conflict(k, given[k], want[k], where),
  );
  if (problems.length) throw new ConfigError(problems);
  return { ...base, lora: { ...given, ...want } };
}

/** Throws ConfigError when the run's lora section does not describe the adapter. */
export function checkAdapterLora(config: RunConfig, adapterConfig: Record<string, unknown>): void {
  const problems = loraConflicts(config.lora, adapterConfig, 'the run config');
  if (problems.length) throw new ConfigError(problems);
}

/** The adapter to train from, checked against the run's config, with the run's dropout. */
export function startingAdapter(
  spec: ModelSpec,
  config: RunConfig,
  adapter: { config: Record<string, unknown>; weights: Uint8Array },
): LoraAdapter {
  checkAdapterLora(config, adapter.config);
  return LoraAdapter.fromPeft(spec, adapter.config, adapter.weights, config.lora.dropout);
}
