// The options each built-in reward takes, as strict zod schemas: one table that the run config validates
// `rewards[i].options` with (so a misspelt option is refused by name, with the nearest known one), that the
// app's reward form reads (`rewardOptionFields`: name, type, default, range, help), and that the docs and
// `webgrpo reward options` print. DOM-free and worker-free: the config module imports it.
//
//   REWARD_OPTIONS.math.safeParse({ strict: true })     // ok
//   rewardOptionsJsonSchema('format')                   // JSON Schema of the format reward's options
import { z } from 'zod';
import { OcamlRewardOptions } from './ocaml/options.ts';
import { PythonAbductionOptions, PythonDeductionOptions } from './python/options.ts';

const MathOptions = z
  .strictObject({
    mode: z
      .enum(['auto', 'number', 'expression'])
      .default('auto')
      .describe(
        'How answers are compared: as numbers (GSM8K), by meaning as mathematics (MATH: expressions, sets, intervals, matrices...), or auto: by meaning unless the gold answer is a plain number.',
      ),
    strict: z.boolean().default(false).describe('Only explicit answer markers count (no last-number fallback).'),
    percent_as_number: z
      .boolean()
      .default(true)
      .describe('"10%" equals a gold answer of 10 (GSM8K golds are bare numbers) as well as 0.1; off: only 0.1.'),
    tolerance: z.number().min(0).default(1e-6).describe('Relative tolerance of the numeric comparison.'),
    answer_field: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Row column with the gold answer (unset: the run's data.answer_field, else answer, else ground_truth).",
      ),
  })
  .describe('math reward options');

const FormatOptions = z
  .strictObject({
    style: z
      .enum(['boxed', 'hash', 'answer_line', 'think', 'regex'])
      .default('boxed')
      .describe(
        'Form required: \\boxed{}, a "#### x" line, an "Answer:" line, <think>...</think> then text, or a regex.',
      ),
    pattern: z
      .string()
      .optional()
      .describe('Style regex: JavaScript regular expression matched against the completion.'),
    flags: z.string().optional().describe('Style regex: flags of the pattern (e.g. "i", "s").'),
  })
  .superRefine((o, ctx) => {
    if (o.style === 'regex' && o.pattern === undefined)
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'style "regex" needs a pattern' });
    if (o.pattern !== undefined)
      try {
        new RegExp(o.pattern, o.flags ?? '');
      } catch (e) {
        ctx.addIssue({
          code: 'custom',
          path: ['pattern'],
          message: `not a valid regular expression: ${(e as Error).message}`,
        });
      }
  })
  .describe('format reward options');

const OverlongOptions = z
  .strictObject({
    max_length: z
      .number()
      .int()
      .gt(0)
      .optional()
      .describe("L_max in tokens (unset: the run's sampling.max_completion_length)."),
    cache_length: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('L_cache: tokens before L_max over which the penalty falls from 0 to -1 (unset: a quarter of L_max).'),
  })
  .describe('overlong reward options');

const KsatOptions = z
  .strictObject({
    partial_credit: z
      .boolean()
      .default(true)
      .describe('Score the fraction of clauses satisfied (false: 1 only when all are).'),
  })
  .describe('ksat reward options');

// A custom reward's options reach its code as they are, so any key beyond `code` is the user's own.
const CustomOptions = z
  .looseObject({
    code: z.string().min(1).describe('Body of a JavaScript function of (sample, options) returning a number.'),
    memory_mb: z
      .number()
      .int()
      .min(1)
      .max(512)
      .optional()
      .describe('Memory limit of the QuickJS interpreter of each call, MiB (default 64).'),
  })
  .describe('custom reward options (other keys are passed to the code)');

/** The math reward's comparison modes and the format reward's styles, as their schemas define them. */
export type MathMode = z.output<typeof MathOptions>['mode'];
export type FormatStyle = z.output<typeof FormatOptions>['style'];

/** Built-in rewards' option schemas by reward name. A reward registered elsewhere has none here. */
export const REWARD_OPTIONS: Record<string, z.ZodType> = {
  math: MathOptions,
  format: FormatOptions,
  overlong: OverlongOptions,
  ksat: KsatOptions,
  custom: CustomOptions,
  ocaml: OcamlRewardOptions,
  python_abduction: PythonAbductionOptions,
  python_deduction: PythonDeductionOptions,
};

/** The option names a reward knows (empty when it has no schema here or takes any key). */
export function rewardOptionKeys(name: string): string[] {
  const s = REWARD_OPTIONS[name] as unknown as { shape?: Record<string, unknown> } | undefined;
  return s?.shape ? Object.keys(s.shape) : [];
}

/** JSON Schema of a reward's options (for forms and docs); null when the reward has no schema here. */
export function rewardOptionsJsonSchema(name: string): Record<string, unknown> | null {
  const s = REWARD_OPTIONS[name];
  return s ? (z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>) : null;
}

export interface RewardOptionField {
  key: string;
  type: string;
  description: string;
  default?: unknown;
  choices?: unknown[];
  minimum?: number;
  maximum?: number;
  required: boolean;
}

/** A reward's options as flat field descriptions a form can render without knowing zod. */
export function rewardOptionFields(name: string): RewardOptionField[] {
  const s = REWARD_OPTIONS[name];
  return s ? fieldsOfSchema(s) : [];
}

/** The fields of any options schema (an environment's too), from its JSON Schema. */
export function fieldsOfSchema(schema: z.ZodType): RewardOptionField[] {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const props = (js.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((js.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([key, p]) => ({
    key,
    type: Array.isArray(p.enum) ? 'enum' : String(p.type ?? 'any'),
    description: String(p.description ?? ''),
    ...(p.default !== undefined ? { default: p.default } : {}),
    ...(Array.isArray(p.enum) ? { choices: p.enum } : {}),
    ...(typeof p.minimum === 'number' ? { minimum: p.minimum } : {}),
    ...(typeof p.exclusiveMinimum === 'number' ? { minimum: p.exclusiveMinimum } : {}),
    ...(typeof p.maximum === 'number' ? { maximum: p.maximum } : {}),
    required: required.has(key) && p.default === undefined,
  }));
}
