// The dataset screen's state: which source is loaded, its rows and columns, the problems of an upload, and
// the preview rows as the model will see them. Loading results become reactive here and nowhere else.
// Rows without the mapped prompt or answer column are counted (`incomplete`): an upload can drop them;
// until then the Run tab refuses to train (a run would stop at the first of them).
//
//   const ds = new DatasetState(config.data)
//   await ds.loadBuiltin('gsm8k-sample'); ds.preview   // first rows: prompt and gold answer
import type { RunConfig } from '../../engine/config.ts';
import { builtinDatasets, loadDataset } from '../../data/datasets.ts';
import { columnsOf, parseDatasetFile } from '../../data/parse.ts';
import { renderPrompt } from '../../data/template.ts';
import { fewShotExamples } from '../../data/prepare.ts';
import type { Row, RowError } from '../../data/types.ts';
import type { HubDataOptions } from '../../data/hub.ts';

export type DataConfig = RunConfig['data'];

/** Rows of a dataset that lack the mapped columns, for the Run tab's list of what blocks Train. */
export interface DataProblem {
  dataset: string;
  prompt_field: string;
  answer_field: string;
  message: string;
}

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

  /** Rows lacking the mapped prompt or answer column (null or absent). */
  readonly incomplete: number = $derived(
    this.rows.filter((r) => r[this.data.prompt_field] == null || r[this.data.answer_field] == null).length,
  );
  /** Whether the rows shown are an upload (kept in the browser, so rows can be dropped from it). */
  uploaded = $state(false);

  /** The first rows as the model reads them: system prompt and few-shot examples included. */
  readonly preview: PreviewRow[] = $derived.by(() => {
    const shots = fewShotExamples(this.rows, this.data);
    return this.rows.slice(0, 5).map((r) => this.previewRow(r, shots));
  });

  /** `hub`: the Hub endpoint and token, as for models (the Model tab's Hub settings). */
  constructor(
    data: DataConfig,
    private readonly hub: () => HubDataOptions = () => ({}),
  ) {
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
      // a sentence for the reader, not "Error: ...": the message already says what is wrong and what to do
      const m = (e as Error).message || String(e);
      this.problem = `${m.charAt(0).toUpperCase()}${m.slice(1)}${/[.!?]$/.test(m) ? '' : '.'}`;
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

  /** Shows the rows of the dataset the config already names (on arriving at the screen); changes no setting. */
  reopen(): Promise<void> {
    const name = this.data.dataset;
    if (!name) return Promise.resolve();
    // a load the user started meanwhile (another dataset, or the same one) wins over this one
    const show = (rows: Row[], uploaded: boolean) => {
      if (this.data.dataset !== name || this.rows.length) return;
      this.uploaded = uploaded;
      this.show(name, rows, columnsOf(rows), true);
    };
    return this.run(async () => {
      const def = builtinDatasets().find((d) => d.name === name);
      if (def) return show((await def.load()).train, false);
      const { loadUploadedDataset } = await import('../../data/store.ts');
      const rows = await loadUploadedDataset(name);
      if (rows) return show(rows, true);
      show((await loadDataset({ ...$state.snapshot(this.data), eval_split: '' }, this.hub())).train, false);
    });
  }

  /** Drops the upload's rows that lack the mapped columns, and keeps the rest. */
  dropIncomplete(): Promise<void> {
    const keep = this.rows.filter((r) => r[this.data.prompt_field] != null && r[this.data.answer_field] != null);
    return this.run(async () => {
      if (!keep.length)
        throw new Error(
          `no row has both "${this.data.prompt_field}" and "${this.data.answer_field}": pick other columns above`,
        );
      await this.keepUpload(this.data.dataset, keep, columnsOf(keep), true);
    });
  }

  loadBuiltin(name: string): Promise<void> {
    return this.run(async () => {
      const def = builtinDatasets().find((d) => d.name === name);
      if (!def) throw new Error(`no built-in dataset "${name}"`);
      const s = await def.load();
      Object.assign(this.data, def.defaults);
      this.errors = [];
      this.pending = null;
      this.uploaded = false;
      this.show(name, s.train, Object.keys(s.train[0] ?? {}), true);
    });
  }

  loadHub(id: string, config: string, split: string): Promise<void> {
    return this.run(async () => {
      const s = await loadDataset({ ...this.data, dataset: id, config, split, eval_split: '' }, this.hub());
      this.data.config = config;
      this.data.split = split;
      this.uploaded = false;
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

  private async keepUpload(name: string, rows: Row[], columns: string[], keepMapping = false): Promise<void> {
    if (rows.length === 0)
      throw new Error(
        this.errors.length
          ? `none of the lines of "${name}" could be read (see the list above): fix the file and upload it again`
          : `"${name}" is empty: it has no rows. Upload a file with one JSON object per line (or a JSON array, a CSV file with a header line, or Parquet)`,
      );
    const { saveUploadedDataset } = await import('../../data/store.ts');
    await saveUploadedDataset(name, $state.snapshot(rows) as Row[]);
    this.pending = null;
    this.uploaded = true;
    this.show(name, rows, columns, keepMapping);
  }
}
