// Registers the built-in rewards. Import this module once wherever rewards run (the reward worker, tests,
// the CLI). The OCaml checker's module is a plugin: every `src/reward/<name>/index.ts` exporting
// `<name>Reward` is registered as `<name>` (found by Vite's glob, so adding the folder is enough).
import { registerReward, type RewardDef } from './registry.ts';
import type { RewardFn } from './types.ts';

// The math reward's expression grader brings a computer algebra system (about 1 MB gzipped): it is loaded
// the first time a math reward is scored, so pages and workers that only list rewards do not carry it.
const mathReward: RewardFn = async (sample, options) => (await import('./math.ts')).mathReward(sample, options);
// The Python rewards bring Pyodide (CPython in WebAssembly, in its own worker): loaded when first scored.
const pythonAbductionReward: RewardFn = async (sample, options) =>
  (await import('./python/index.ts')).pythonAbductionReward(sample, options);
const pythonDeductionReward: RewardFn = async (sample, options) =>
  (await import('./python/index.ts')).pythonDeductionReward(sample, options);
import { formatReward } from './format.ts';
import { overlongReward } from './overlong.ts';
import { ksatReward } from './ksat.ts';
import { customReward } from './custom.ts';

export const BUILTIN_REWARDS: RewardDef[] = [
  {
    name: 'math',
    fn: mathReward,
    description:
      'Final answer (boxed, ####, "the answer is", Answer:, last number) equals the gold answer: as a number, or by meaning for expressions, sets, intervals, matrices and text.',
    defaults: { mode: 'auto', strict: false, percent_as_number: true, tolerance: 1e-6 },
  },
  {
    name: 'format',
    fn: formatReward,
    description: 'Answer stated in the requested form (\\boxed{}, ####, Answer:, <think>, or a regex).',
    defaults: { style: 'boxed' },
  },
  {
    name: 'overlong',
    fn: overlongReward,
    description: 'DAPO soft overlong penalty: 0, then linearly down to -1 over the last cache_length tokens.',
    defaults: { cache_length: 64 },
  },
  {
    name: 'ksat',
    fn: ksatReward,
    description: 'Fraction of the k-SAT clauses the stated assignment satisfies (or all-or-nothing).',
    defaults: { partial_credit: true },
  },
  {
    name: 'custom',
    fn: customReward,
    description:
      'Your JavaScript function body of (sample) returning a number, run in a QuickJS sandbox: no network, no page, no storage.',
    defaults: { code: 'return sample.completion.length < 200 ? 1 : 0;', memory_mb: 64 },
  },
  {
    name: 'python_abduction',
    fn: pythonAbductionReward,
    description:
      "1 when the row's Python program, run (CPython in WASM) on the completion's <input>...</input>, prints the expected output.",
    defaults: { time_limit_ms: 5000, memory_mb: 256 },
  },
  {
    name: 'python_deduction',
    fn: pythonDeductionReward,
    description:
      "Fraction of the row's tests whose stdout the completion's ```python program (CPython in WASM) matches.",
    defaults: { time_limit_ms: 5000, memory_mb: 256 },
  },
];

for (const def of BUILTIN_REWARDS) registerReward(def);

export type PluginModule = Record<string, unknown>;

/** Registers every plugin module `./<name>/index.ts` that exports `<name>Reward`; returns their names. */
export function registerPlugins(modules: Record<string, PluginModule>): string[] {
  const names: string[] = [];
  for (const [file, mod] of Object.entries(modules)) {
    const name = file.split('/').at(-2) ?? '';
    const fn = mod[`${name}Reward`];
    if (typeof fn !== 'function') continue;
    const description = typeof mod.description === 'string' ? mod.description : `${name} reward`;
    registerReward({ name, fn: fn as RewardFn, description });
    names.push(name);
  }
  return names;
}

let plugins: Record<string, PluginModule> = {};
try {
  plugins = import.meta.glob<PluginModule>('./*/index.ts', { eager: true });
} catch {
  // outside Vite and Vitest (the esbuild-bundled CLI) there is no glob, and no plugin to find
}
registerPlugins(plugins);
