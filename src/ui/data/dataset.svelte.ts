// The dataset screen's state: which source is loaded, its rows and columns, the problems of an upload, and
// the preview rows as the model will see them. Loading results become reactive here and nowhere else.
//
//   const ds = new DatasetState(config.data)
//   await ds.loadBuiltin('gsm8k-sample'); ds.preview   // first rows: prompt and gold answer
import type { RunConfig } from '../../engine/config.ts';
import { builtinDatasets, loadDataset } from '../../data/datasets.ts';
import { parseDatasetFile } from '../../data/parse.ts';
import { renderPrompt } from '../../data/template.ts';
import { fewShotExamples } from '../../data/prepare.ts';
import type { Row, RowError } from '../../data/types.ts';

export type DataConfig = RunConfig['data'];

export interface PreviewRow {
  prompt: string;
  gold: string;
}

/** Columns most datasets use for the prompt and the answer, in order of preference. */
const PROMPT_NAMES = ['question', 'prompt', 'problem', 'input', 'instruction', 'query', 'text'];
const ANSWER_NAMES = ['answer', 'solution', 'ground_truth', 'output', 'target', 'response', 'label', 'tests'];

export function guessField(columns: string[], names: string[], fallback: number): string {
  return names.find((n) => columns.includes(n)) ?? columns[Math.min(fallback, columns.length - 1)] ?? '';
}

export class DatasetState {
  data = $state<DataConfig>() as DataConfig;
  rows = $state<Row[]>([]);
  columns = $state<string[]>([]);
  /** Lines of an upload that did not parse; the good rows wait in `pending` until accepted. */
  errors = $state<RowError[]>([]);
  pending = $state<{ name: string; rows: Row[]; columns: string[] } | null>(null);
  loading = $state(false);
  problem = $state<string | null>(null);

  /** The first rows as the model reads them: system prompt and few-shot examples included. */
  readonly preview: PreviewRow[] = $derived.by(() => {
    const shots = fewShotExamples(this.rows, this.data);
    return this.rows.slice(0, 5).map((r) => this.previewRow(r, shots));
  });

  constructor(data: DataConfig) {
    this.data = data;
  }

  private previewRow(r: Row, fewShot: { question: string; answer: string }[]): PreviewRow {
    const q = r[this.data.prompt_field],
      a = r[this.data.answer_field];
    const question =
      q === undefined ? `(no column "${this.data.prompt_field}")` : typeof q === 'string' ? q : JSON.stringify(q);
    let prompt: string;
    try {
      prompt = renderPrompt(this.data.template, { system: this.data.system_prompt, fewShot, question });
    } catch (e) {
      prompt = (e as Error).message;
    }
    return {
      prompt,
      gold: a === undefined ? `(no column "${this.data.answer_field}")` : typeof a === 'string' ? a : JSON.stringify(a),
    };
  }

  private async run(task: () => Promise<void>): Promise<void> {
    this.loading = true;
    this.problem = null;
    try {
      await task();
    } catch (e) {
      this.problem = `${(e as Error).name}: ${(e as Error).message}`;
    } finally {
      this.loading = false;
    }
  }

  private show(name: string, rows: Row[], columns: string[], keepMapping: boolean): void {
    this.rows = rows;
    this.columns = columns;
    this.data.dataset = name;
    if (!keepMapping) {
      this.data.prompt_field = guessField(columns, PROMPT_NAMES, 0);
      this.data.answer_field = guessField(columns, ANSWER_NAMES, 1);
    }
  }

  loadBuiltin(name: string): Promise<void> {
    return this.run(async () => {
      const def = builtinDatasets().find((d) => d.name === name);
      if (!def) throw new Error(`no built-in dataset "${name}"`);
      const s = await def.load();
      Object.assign(this.data, def.defaults);
      this.errors = [];
      this.pending = null;
      this.show(name, s.train, Object.keys(s.train[0] ?? {}), true);
    });
  }

  loadHub(id: string, config: string, split: string): Promise<void> {
    return this.run(async () => {
      const s = await loadDataset({ ...this.data, dataset: id, config, split, eval_split: '' });
      this.data.config = config;
      this.data.split = split;
      this.show(id, s.train, Object.keys(s.train[0] ?? {}), false);
    });
  }

  /** Parses a file; with bad lines, the good rows wait for acceptUpload(). */
  loadFile(name: string, bytes: ArrayBuffer): Promise<void> {
    return this.run(async () => {
      const r = await parseDatasetFile(name, bytes);
      this.errors = r.errors;
      if (r.errors.length > 0) {
        this.pending = { name, rows: r.rows, columns: r.columns };
        return;
      }
      await this.keepUpload(name, r.rows, r.columns);
    });
  }

  acceptUpload(): Promise<void> {
    return this.run(async () => {
      const p = this.pending;
      if (!p) return;
      await this.keepUpload(p.name, p.rows, p.columns);
    });
  }

  private async keepUpload(name: string, rows: Row[], columns: string[]): Promise<void> {
    if (rows.length === 0) throw new Error(`"${name}" has no rows that could be read`);
    const { saveUploadedDataset } = await import('../../data/store.ts');
    await saveUploadedDataset(name, $state.snapshot(rows) as Row[]);
    this.pending = null;
    this.show(name, rows, columns, false);
  }
}
