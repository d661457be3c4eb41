// From the config's data.dataset to rows: a built-in dataset (demo-arithmetic, gsm8k-sample, ksat, or one
// another module registers, such as the OCaml tasks), an uploaded file (IndexedDB), or a Hub dataset id.
//
//   const { train, test } = await loadDataset(config.data)
//   registerDataset({ name: 'ocaml', title: '...', description: '...', load: async () => ({ train, test }) })
import type { RunConfig } from '../engine/config.ts';
import { Rng } from '../engine/rng.ts';
import { formatAssignment, formatClauses, generateKsat } from '../reward/ksat.ts';
import { arithmeticSplits } from './arithmetic.ts';
import { HUB_DATASET_ID, HubNotFoundError, loadHubSplit, type HubDataOptions } from './hub.ts';
import { DatasetError, type DatasetSplits, type Row } from './types.ts';
import { templateDef } from './template.ts';

export type DataConfig = RunConfig['data'];

export interface BuiltinDataset {
  name: string;
  title: string;
  description: string;
  /** Field mapping and template that suit it (the app applies them when it is picked). */
  defaults: Partial<DataConfig>;
  load(): Promise<DatasetSplits>;
}

export function ksatRows(n: number, seed: number): Row[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const f = generateKsat(rng);
    const question = `Find True/False values for x1 to x${f.vars} that satisfy every clause of this ${f.k}-SAT formula:\n${formatClauses(f.clauses)}`;
    return { question, answer: formatAssignment(f.solution), clauses: f.clauses, vars: f.vars, k: f.k };
  });
}

const DATASETS = new Map<string, BuiltinDataset>();

export function registerDataset(d: BuiltinDataset): void {
  DATASETS.set(d.name, d);
}

export function builtinDatasets(): BuiltinDataset[] {
  return [...DATASETS.values()];
}

registerDataset({
  name: 'demo-arithmetic',
  title: 'Demo arithmetic',
  description:
    'Addition and subtraction of a one- or two-digit number and a digit ("What is 37 + 8?" -> 45), generated; 4,000 train and 500 evaluation questions from the same distribution.',
  defaults: { prompt_field: 'question', answer_field: 'answer', template: 'plain' },
  load: async () => arithmeticSplits(),
});
registerDataset({
  name: 'gsm8k-sample',
  title: 'GSM8K sample (offline)',
  description: 'The first 200 train and 200 test problems of GSM8K, shipped with the app.',
  defaults: { prompt_field: 'question', answer_field: 'answer', template: 'gsm8k-boxed' },
  // a separate chunk, fetched from the app's own files (never the network) when first picked
  load: async () => {
    const { default: sample } = await import('./bundled/gsm8k-sample.json');
    return { train: sample.train as Row[], test: sample.test as Row[] };
  },
});
registerDataset({
  name: 'ksat',
  title: 'k-SAT',
  description: 'Random satisfiable 3- to 5-SAT formulas over 10 to 20 variables (seeded); 1,000 train, 100 held out.',
  defaults: { prompt_field: 'question', answer_field: 'answer', template: 'ksat' },
  load: async () => ({ train: ksatRows(1000, 1), test: ksatRows(100, 2) }),
});

registerDataset({
  name: 'ocaml',
  title: 'OCaml problems',
  description:
    '58 OCaml programming problems with tests and reference solutions (lists, recursion, options, trees, strings, higher-order functions), graded by the ocaml reward; every sixth problem is held out.',
  defaults: { prompt_field: 'prompt', answer_field: 'solution', template: 'chat' },
  load: async () => {
    const { default: problems } = await import('./ocaml-problems.json');
    const rows = problems as Row[];
    return { train: rows.filter((_, i) => i % 6 !== 5), test: rows.filter((_, i) => i % 6 === 5) };
  },
});

// The Python tasks: one bundled file, a separate chunk fetched from the app's own files when first picked.
async function pythonProblems(kind: 'abduction' | 'deduction'): Promise<DatasetSplits> {
  const { default: all } = await import('./python-problems.json');
  const rows = all[kind] as Row[];
  return { train: rows.filter((_, i) => i % 6 !== 5), test: rows.filter((_, i) => i % 6 === 5) };
}
registerDataset({
  name: 'python-abduction',
  title: 'Python abduction',
  description:
    '44 Python programs, each with an output it printed: answer with an input that makes it print that (<input>...</input>), graded by the python_abduction reward; every sixth is held out.',
  defaults: { prompt_field: 'prompt', answer_field: 'answer', template: 'chat' },
  load: () => pythonProblems('abduction'),
});
registerDataset({
  name: 'python-deduction',
  title: 'Python deduction',
  description:
    '44 stdin/stdout programming problems with 4 tests each and reference programs, graded by the python_deduction reward (fraction of tests passed); every sixth is held out.',
  defaults: { prompt_field: 'prompt', answer_field: 'solution', template: 'chat' },
  load: () => pythonProblems('deduction'),
});

// SFT data for the agent recipe: the three verifiable tasks in one chat dataset (prompt, answer, task),
// each prompt as its own dataset's template words it, each answer the reference that scores 1.0.
async function agentTasks(): Promise<DatasetSplits> {
  const ksatPrompt = (q: unknown) => templateDef('ksat').user(String(q));
  const ksat = (rows: Row[]) => rows.map((r) => ({ prompt: ksatPrompt(r.question), answer: r.answer, task: 'ksat' }));
  const [abd, ded] = await Promise.all([pythonProblems('abduction'), pythonProblems('deduction')]);
  const py = (rows: Row[], task: string, field: string) =>
    rows.map((r) => ({ prompt: r.prompt, answer: r[field], task }));
  return {
    train: [
      ...ksat(ksatRows(80, 11)),
      ...py(abd.train, 'python_abduction', 'answer'),
      ...py(ded.train, 'python_deduction', 'solution'),
    ],
    test: [
      ...ksat(ksatRows(16, 12)),
      ...py(abd.test ?? [], 'python_abduction', 'answer'),
      ...py(ded.test ?? [], 'python_deduction', 'solution'),
    ],
  };
}
registerDataset({
  name: 'agent-tasks',
  title: 'k-SAT + Python abduction + deduction (SFT)',
  description:
    'The k-SAT, Python abduction and Python deduction tasks in one chat dataset with their reference answers (80 generated formulas and the bundled Python problems for training), for SFT before RL on environments.',
  defaults: { prompt_field: 'prompt', answer_field: 'answer', template: 'chat' },
  load: agentTasks,
});

export interface LoadDataOptions extends HubDataOptions {
  /** Rows of an uploaded file by name (the app: IndexedDB); null when there is none. */
  uploaded?: (name: string) => Promise<Row[] | null>;
  /** Datasets the caller provides by name, looked up before the built-in ones (e.g. the data that
   * `webgrpo make-demo-model` trains on). */
  provided?: Record<string, () => Promise<DatasetSplits>>;
}

async function defaultUploaded(name: string): Promise<Row[] | null> {
  if (typeof indexedDB === 'undefined') return null;
  const { loadUploadedDataset } = await import('./store.ts');
  return loadUploadedDataset(name);
}

export async function loadDataset(cfg: DataConfig, o: LoadDataOptions = {}): Promise<DatasetSplits> {
  const own = o.provided?.[cfg.dataset];
  if (own) return own();
  const builtin = DATASETS.get(cfg.dataset);
  if (builtin) return builtin.load();
  const up = await (o.uploaded ?? defaultUploaded)(cfg.dataset);
  if (up) return { train: up, test: null };
  if (HUB_DATASET_ID.test(cfg.dataset)) {
    const train = await loadHubSplit(cfg.dataset, cfg.config, cfg.split, o);
    // a dataset without the eval split gets a hold-out cut from train instead
    const test = cfg.eval_split
      ? await loadHubSplit(cfg.dataset, cfg.config, cfg.eval_split, o).catch((e) => {
          if (e instanceof HubNotFoundError) return null;
          throw e;
        })
      : null;
    return { train, test };
  }
  throw new DatasetError(
    `no dataset "${cfg.dataset}": use a built-in one (${[...DATASETS.keys()].join(', ')}), upload a file, or give a Hub id such as openai/gsm8k`,
  );
}

/** A held-out split when the source has none: `count` rows (at most a fifth), drawn with the seed. */
export function holdOut(splits: DatasetSplits, count: number, seed: number): { train: Row[]; test: Row[] } {
  if (splits.test) return { train: splits.train, test: splits.test };
  const n = splits.train.length,
    k = Math.min(count, Math.floor(n / 5));
  const rng = new Rng(seed ^ 0x5bd1e995);
  const picked = new Set<number>();
  while (picked.size < k) picked.add(rng.int(n));
  return {
    train: splits.train.filter((_, i) => !picked.has(i)),
    test: [...picked].sort((a, b) => a - b).map((i) => splits.train[i]),
  };
}
