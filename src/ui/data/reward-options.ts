// The pieces of a reward's options form that need no DOM: a label in words for each option, the problems
// of the options against the reward's own schema (src/reward/options.ts) by option name, and the options
// that schema does not declare (a custom reward's own keys, or every key of a reward without a schema).
//
//   optionLabel('time_limit_ms')                         // "Time limit (ms)"
//   optionProblems('math', { tolerance: -1 })            // { tolerance: 'Too small: expected number to be >=0' }
import { REWARD_OPTIONS, rewardOptionFields, type RewardOptionField } from '../../reward/options.ts';

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

/** The generated fields of a reward's options (empty for a reward without a schema here). */
export function optionFields(name: string): RewardOptionField[] {
  return rewardOptionFields(name);
}

/** Whether the reward's options are checked by a schema of ours (rewards registered elsewhere are not). */
export const hasOptionSchema = (name: string): boolean => name in REWARD_OPTIONS;

/** Problems of the options by option name ('' for the options as a whole), from the reward's schema. */
export function optionProblems(name: string, options: Record<string, unknown>): Record<string, string> {
  const schema = REWARD_OPTIONS[name];
  if (!schema) return {};
  const r = schema.safeParse(options);
  if (r.success) return {};
  const out: Record<string, string> = {};
  for (const i of r.error.issues) {
    if (i.code === 'unrecognized_keys') for (const k of i.keys) out[k] = 'not an option of this reward';
    else out[String(i.path[0] ?? '')] ??= i.message;
  }
  return out;
}

/** The options the generated fields do not cover, which the form edits as a JSON object. */
export function extraOptions(name: string, options: Record<string, unknown>): Record<string, unknown> {
  const known = new Set(optionFields(name).map((f) => f.key));
  return Object.fromEntries(Object.entries(options).filter(([k]) => !known.has(k)));
}

/** The value typed into an option's input: '' unsets an optional option; a non-number stays text. */
export function parseOptionInput(field: RewardOptionField, raw: string): unknown {
  if (raw === '' && !field.required) return undefined;
  if (field.type === 'number' || field.type === 'integer') {
    const n = Number(raw);
    return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
  }
  return raw;
}
