// A run's training and held-out rows as the exported TRL project reads them: the same split, held-out
// rows and few-shot examples as prepareRunData, each row with a `prompt` (the text the browser renders,
// or, for a chat template, the conversation as TRL's conversational format: a list of {role, content}
// that TRL renders with the model's chat template) and the dataset's own columns for the rewards; written
// as Parquet with hyparquet-writer.
//
//   const { train, test } = await exportRows(config)
//   fs.writeFileSync('train.parquet', Buffer.from(rowsParquet(train)))
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { RunConfig } from '../engine/config.ts';
import { holdOut, loadDataset, type LoadDataOptions } from './datasets.ts';
import { asMessages, fewShotExamples, splitRows } from './prepare.ts';
import { promptMessages, renderPrompt, templateDef, type ChatMessage } from './template.ts';
import type { Row } from './types.ts';

export type ExportRow = Record<string, unknown> & { prompt: string | ChatMessage[] };

export async function exportRows(
  config: RunConfig,
  o: LoadDataOptions = {},
): Promise<{ train: ExportRow[]; test: ExportRow[] }> {
  const t = templateDef(config.data.template);
  const loaded = holdOut(await loadDataset(config.data, o), config.run.eval_examples, config.data.shuffle_seed);
  const s = splitRows(loaded.train, loaded.test, config);
  const fewShot = fewShotExamples(loaded.train, config.data);
  const toRow = (r: Row): ExportRow => {
    const parts = { system: config.data.system_prompt, fewShot, question: String(r[config.data.prompt_field] ?? '') };
    // a column named "prompt" in the dataset gives way to the rendered prompt, as the browser renders it
    const { prompt: _own, ...rest } = r;
    // a conversational dataset's prompt is its own messages, as TRL takes them
    const own = asMessages(r[config.data.prompt_field]);
    return { ...rest, prompt: own ?? (t.chat ? promptMessages(t, parts) : renderPrompt(config.data.template, parts)) };
  };
  return { train: s.train.map(toRow), test: s.test.map(toRow) };
}

type Column = { name: string; data: unknown[] };
type Schema = Record<string, unknown>[];

/** One column per key: numbers and booleans as themselves, other values as text (objects as JSON). */
function plainColumn(name: string, rows: ExportRow[]): { column: Column; schema: Schema } {
  const vals = rows.map((r) => r[name]);
  const present = vals.filter((v) => v !== undefined && v !== null);
  const kind = present.every((v) => typeof v === 'number')
    ? 'DOUBLE'
    : present.every((v) => typeof v === 'boolean')
      ? 'BOOLEAN'
      : 'STRING';
  const data =
    kind === 'STRING'
      ? vals.map((v) => (v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v)))
      : vals.map((v) => (v === undefined ? null : v));
  const el =
    kind === 'STRING'
      ? { type: 'BYTE_ARRAY', converted_type: 'UTF8' }
      : { type: kind === 'DOUBLE' ? 'DOUBLE' : 'BOOLEAN' };
  return { column: { name, data }, schema: [{ name, ...el, repetition_type: 'OPTIONAL' }] };
}

/** The prompt column: text, or a LIST of {role, content} structs (TRL's conversational format). */
function promptColumn(rows: ExportRow[]): { column: Column; schema: Schema } {
  const data = rows.map((r) => r.prompt);
  if (data.every((p) => typeof p === 'string'))
    return {
      column: { name: 'prompt', data },
      schema: [{ name: 'prompt', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' }],
    };
  const utf8 = { type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' };
  return {
    column: { name: 'prompt', data },
    schema: [
      { name: 'prompt', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
      { name: 'role', ...utf8 },
      { name: 'content', ...utf8 },
    ],
  };
}

/** The rows as a Parquet file. */
export function rowsParquet(rows: ExportRow[]): ArrayBuffer {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => k !== 'prompt');
  const parts = [promptColumn(rows), ...keys.map((k) => plainColumn(k, rows))];
  const schema = [{ name: 'root', num_children: parts.length }, ...parts.flatMap((p) => p.schema)];
  const options = { columnData: parts.map((p) => p.column), schema };
  return parquetWriteBuffer(options as unknown as Parameters<typeof parquetWriteBuffer>[0]);
}
