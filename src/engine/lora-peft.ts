// Reading a PEFT LoRA adapter as PEFT itself would apply it, or refusing it in one sentence: target_modules
// as a list of name suffixes, "all-linear", or a regular expression matched against whole module names
// (re.fullmatch); per-module rank and alpha from rank_pattern and alpha_pattern (a pattern matches a name
// ending in ".<pattern>", as PEFT's get_pattern_key). What we cannot apply faithfully is refused rather than
// loaded wrong: modules_to_save, bias other than "none", DoRA, fan_in_fan_out, exclude_modules,
// layers_to_transform, LoRA biases.
//
// Modules of smaller rank are padded with zero rows of A and zero columns of B up to the largest rank, so
// that every pair has one shape per projection; B A is unchanged, the padding has zero gradient and stays
// zero in training, and the export trims it back and writes rank_pattern/alpha_pattern.
import { LORA_TARGETS, type LoraTarget } from './config.ts';

export class LoraFormatError extends Error {
  readonly name = 'LoraFormatError';
}

const ATTN = new Set<string>(['q_proj', 'k_proj', 'v_proj', 'o_proj']);

/** The module's name in the causal LM, as PEFT matches target_modules and the patterns against it. */
export function peftModuleName(layer: number, target: LoraTarget): string {
  return `model.layers.${layer}.${ATTN.has(target) ? 'self_attn' : 'mlp'}.${target}`;
}

/** Python's re syntax for what patterns use is JavaScript's; a bad one is the file's fault, said so. */
function regex(src: string, field: string): RegExp {
  try {
    return new RegExp(src);
  } catch (e) {
    throw new LoraFormatError(
      `adapter_config.json ${field} "${src}" is not a regular expression JavaScript reads: ${(e as Error).message}`,
    );
  }
}

const empty = (v: unknown) =>
  v === undefined ||
  v === null ||
  v === false ||
  (Array.isArray(v) && !v.length) ||
  (typeof v === 'object' && !Array.isArray(v) && !Object.keys(v as object).length);

/** Throws, in one sentence, for what this engine cannot apply as PEFT would. */
export function refuseUnsupported(c: Record<string, unknown>): void {
  const why: [boolean, string][] = [
    [
      c.peft_type !== undefined && c.peft_type !== 'LORA',
      `its peft_type is ${String(c.peft_type)}, and only LORA adapters can be loaded`,
    ],
    [
      !empty(c.modules_to_save),
      `it trains whole modules (modules_to_save: ${JSON.stringify(c.modules_to_save)}), which this engine neither loads nor trains`,
    ],
    [
      c.bias !== undefined && c.bias !== 'none',
      `it trains biases (bias: "${String(c.bias)}"), and only bias "none" is supported`,
    ],
    [c.use_dora === true, 'it is a DoRA adapter (use_dora), whose magnitude vectors this engine does not apply'],
    [
      c.fan_in_fan_out === true,
      'it was made with fan_in_fan_out (transposed Conv1D weights), which the supported models do not have',
    ],
    [!empty(c.exclude_modules), 'it uses exclude_modules, which this engine does not apply'],
    [!empty(c.layers_to_transform), 'it uses layers_to_transform, which this engine does not apply'],
    [c.lora_bias === true, 'it has LoRA biases (lora_bias), which this engine does not apply'],
  ];
  const hit = why.find(([bad]) => bad);
  if (hit) throw new LoraFormatError(`This adapter cannot be loaded: ${hit[1]}.`);
}

/** Whether PEFT would put an adapter on the module `name`. */
function targeted(tm: unknown, name: string): boolean {
  if (tm === 'all-linear') return true; // every linear layer but the LM head: our seven projections
  if (typeof tm === 'string') return regex(`^(?:${tm})$`, 'target_modules').test(name);
  if (Array.isArray(tm)) return tm.some((t) => name === t || name.endsWith(`.${String(t)}`));
  return false;
}

/** The value of the first pattern matching `name` (PEFT's get_pattern_key), or undefined. */
function patternValue(patterns: unknown, name: string, field: string): number | undefined {
  if (!patterns || typeof patterns !== 'object') return undefined;
  for (const [p, v] of Object.entries(patterns as Record<string, unknown>))
    if (regex(`^(.*\\.)?(${p})$`, field).test(name)) return Number(v);
  return undefined;
}

export interface PeftModulePlan {
  layer: number;
  target: LoraTarget;
  rank: number;
  alpha: number;
}

/** Which (layer, projection) get an adapter, with each one's rank and alpha, as PEFT resolves the config. */
export function planPeftModules(c: Record<string, unknown>, layers: number): PeftModulePlan[] {
  refuseUnsupported(c);
  const tm = c.target_modules;
  if (Array.isArray(tm)) {
    const other = tm.map(String).filter((t) => !(LORA_TARGETS as readonly string[]).includes(t.split('.').at(-1)!));
    if (other.length)
      throw new LoraFormatError(
        `This adapter cannot be loaded: it targets ${other.join(', ')}, and only ${LORA_TARGETS.join(', ')} can carry an adapter here.`,
      );
  }
  const r = Number(c.r),
    alpha = Number(c.lora_alpha ?? r);
  const plan: PeftModulePlan[] = [];
  for (let layer = 0; layer < layers; layer++)
    for (const target of LORA_TARGETS) {
      const name = peftModuleName(layer, target);
      if (!targeted(tm, name)) continue;
      plan.push({
        layer,
        target,
        rank: patternValue(c.rank_pattern, name, 'rank_pattern') ?? r,
        alpha: patternValue(c.alpha_pattern, name, 'alpha_pattern') ?? alpha,
      });
    }
  if (!plan.length)
    throw new LoraFormatError(
      `This adapter cannot be loaded: its target_modules ${JSON.stringify(tm)} match none of this model's projections (${LORA_TARGETS.join(', ')}).`,
    );
  return plan;
}

/**
 * Our config's LoRA section for an imported adapter: its targets as PEFT resolves them, the largest rank
 * (smaller ones are padded, see above), its alpha and rsLoRA. The per-module ranks and scales travel with
 * the adapter's pairs, not in the config.
 */
export function peftLoraSection(c: Record<string, unknown>): {
  r: number;
  alpha: number;
  target_modules: LoraTarget[];
  use_rslora: boolean;
  dropout: number;
} {
  const plan = planPeftModules(c, 256); // more layers than any supported model: the union of the targets
  return {
    r: Math.max(...plan.map((p) => p.rank)),
    alpha: Number(c.lora_alpha ?? c.r),
    target_modules: LORA_TARGETS.filter((t) => plan.some((p) => p.target === t)),
    use_rslora: c.use_rslora === true,
    dropout: 0,
  };
}
