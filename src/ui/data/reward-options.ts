// The pieces of a reward's options form that need no DOM: a label in words for each option, the problems
// of the options against the reward's own schema (src/reward/options.ts) by option name, and the options
// that schema does not declare (a custom reward's own keys, or every key of a reward without a schema).
//
//   optionLabel('time_limit_ms')                         // "Time limit (ms)"
//   optionProblems('math', { tolerance: -1 })            // { tolerance: 'Too small: expected number to be >=0' }
import { REWARD_OPTIONS, rewardOptionFields, type RewardOptionField } from '../../reward/options.ts';
import { ENV_OPTIONS, envOptionFields } from '../../env/option-schemas.ts';

/** Whose options a form edits: a reward's (rewards[i].options) or an environment's (environment.envs[i].options). */
export type OptionOwner = 'reward' | 'environment';
const SCHEMAS = { reward: REWARD_OPTIONS, environment: ENV_OPTIONS };

const UNITS: [RegExp, string][] = [
  [/_ms$/, ' (ms)'],
  [/_mb$/, ' (MiB)'],
  [/_kb$/, ' (KiB)'],
];

/** An option's name in words: "percent_as_number" -> "Percent as number", "memory_mb" -> "Memory (MiB)". */
export function optionLabel(key: string): string {
  let unit = '';
  for (const [re, u] of UNITS)
    if (re.test(key)) {
      unit = u;
      key = key.replace(re, '');
    }
  const words = key.split('_').filter(Boolean).join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1) + unit;
}

/** The generated fields of a reward's (or an environment's) options; empty without a schema here. */
export function optionFields(name: string, owner: OptionOwner = 'reward'): RewardOptionField[] {
  return owner === 'reward' ? rewardOptionFields(name) : envOptionFields(name);
}

/** Whether the options are checked by a schema of ours (rewards and environments registered elsewhere are not). */
export const hasOptionSchema = (name: string, owner: OptionOwner = 'reward'): boolean => name in SCHEMAS[owner];

/** Problems of the options by option name ('' for the options as a whole), from the owner's schema. */
export function optionProblems(
  name: string,
  options: Record<string, unknown>,
  owner: OptionOwner = 'reward',
): Record<string, string> {
  const schema = SCHEMAS[owner][name];
  if (!schema) return {};
  const r = schema.safeParse(options);
  if (r.success) return {};
  const out: Record<string, string> = {};
  for (const i of r.error.issues) {
    if (i.code === 'unrecognized_keys') for (const k of i.keys) out[k] = 'not an option of this ' + owner;
    else out[String(i.path[0] ?? '')] ??= i.message;
  }
  return out;
}

/** The options the generated fields do not cover, which the form edits as a JSON object. */
export function extraOptions(
  name: string,
  options: Record<string, unknown>,
  owner: OptionOwner = 'reward',
): Record<string, unknown> {
  const known = new Set(optionFields(name, owner).map((f) => f.key));
  return Object.fromEntries(Object.entries(options).filter(([k]) => !known.has(k)));
}

/** What an option's text input shows: a list or an object as JSON, anything else as it is. */
export function optionInputText(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** The value typed into an option's input: '' unsets an optional option; a non-number stays text. */
export function parseOptionInput(field: RewardOptionField, raw: string): unknown {
  if (raw === '' && !field.required) return undefined;
  if (field.type === 'array' || field.type === 'object') {
    // a list or an object is typed as JSON; text that is not JSON stays text, which the schema refuses
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  if (field.type === 'number' || field.type === 'integer') {
    const n = Number(raw);
    return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
  }
  return raw;
}
