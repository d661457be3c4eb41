// Reads an uploaded dataset file: JSONL, JSON, CSV or Parquet, chosen by file name. A malformed line does
// not sink the file: its error names the line, and the rows that did parse come back with it, so the user
// can fix the file or accept the rest.
//
//   const r = await parseDatasetFile('train.jsonl', bytes)   // { rows, columns, errors: [{ line: 3, message }] }
import { parquetReadObjects } from 'hyparquet';
import { DatasetError, type Row, type RowError } from './types.ts';
import { jsonErrorLine } from './json-locate.ts';

export type FileFormat = 'jsonl' | 'json' | 'csv' | 'parquet';

export interface ParsedFile {
  format: FileFormat;
  rows: Row[];
  /** Every column seen, in first-seen order. */
  columns: string[];
  errors: RowError[];
}

export function fileFormat(name: string): FileFormat {
  const ext = name.toLowerCase().split('.').pop();
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  if (ext === 'json' || ext === 'csv' || ext === 'parquet') return ext;
  throw new DatasetError(`"${name}" is not a dataset file this app reads: upload .jsonl, .json, .csv or .parquet`);
}

export function columnsOf(rows: Row[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

const isRow = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseJsonl(text: string): { rows: Row[]; errors: RowError[] } {
  const rows: Row[] = [],
    errors: RowError[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const v = JSON.parse(line);
      if (isRow(v)) rows.push(v);
      else
        errors.push({
          line: i + 1,
          message: `line ${i + 1} is ${Array.isArray(v) ? 'an array' : typeof v}, not a JSON object`,
        });
    } catch (e) {
      errors.push({ line: i + 1, message: `line ${i + 1} is not valid JSON: ${(e as Error).message}` });
    }
  });
  return { rows, errors };
}

export function parseJson(text: string): { rows: Row[]; errors: RowError[] } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    const line = jsonErrorLine(text) ?? 1;
    return {
      rows: [],
      errors: [
        {
          line,
          message: `not valid JSON near line ${line}: ${(e as Error).message}; a file of one JSON object per line should be named .jsonl`,
        },
      ],
    };
  }
  const list = Array.isArray(v)
    ? v
    : isRow(v) && Array.isArray(v.rows)
      ? v.rows
      : isRow(v) && Array.isArray(v.data)
        ? v.data
        : null;
  if (!list)
    return {
      rows: [],
      errors: [
        { line: 1, message: 'a JSON dataset must be an array of objects (or an object with a "rows" or "data" array)' },
      ],
    };
  const rows: Row[] = [],
    errors: RowError[] = [];
  list.forEach((r: unknown, i: number) =>
    isRow(r) ? rows.push(r) : errors.push({ line: 1, message: `item ${i} of the array is not an object` }),
  );
  return { rows, errors };
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. The first record is the header. */
export function parseCsv(text: string): { rows: Row[]; errors: RowError[] } {
  const records: { fields: string[]; line: number }[] = [];
  let field = '',
    fields: string[] = [],
    quoted = false,
    line = 1,
    start = 1;
  const endRecord = () => {
    fields.push(field);
    records.push({ fields, line: start });
    field = '';
    fields = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        field += c;
        if (c === '\n') line++;
      }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else field += c;
  }
  if (field !== '' || fields.length) endRecord();
  const nonEmpty = records.filter((r) => !(r.fields.length === 1 && r.fields[0] === ''));
  if (nonEmpty.length === 0) return { rows: [], errors: [{ line: 1, message: 'the CSV file is empty' }] };
  const [header, ...body] = nonEmpty;
  const rows: Row[] = [],
    errors: RowError[] = [];
  for (const r of body) {
    if (r.fields.length !== header.fields.length)
      errors.push({
        line: r.line,
        message: `line ${r.line} has ${r.fields.length} fields, the header has ${header.fields.length}`,
      });
    else rows.push(Object.fromEntries(header.fields.map((h, j) => [h, r.fields[j]])));
  }
  if (quoted) errors.push({ line: start, message: `line ${start}: a quoted field is never closed` });
  return { rows, errors };
}

/** Parquet values as JSON-friendly ones: bigint becomes number (exact up to 2^53). */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Date) return v.toISOString();
  if (isRow(v) && !(v instanceof Uint8Array))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

export async function parseParquet(bytes: ArrayBuffer): Promise<Row[]> {
  try {
    const rows = await parquetReadObjects({ file: bytes });
    return rows.map((r) => plain(r) as Row);
  } catch (e) {
    throw new DatasetError(`the file is not a Parquet file this app can read: ${(e as Error).message}`);
  }
}

export async function parseDatasetFile(name: string, data: ArrayBuffer | string): Promise<ParsedFile> {
  const format = fileFormat(name);
  if (format === 'parquet') {
    if (typeof data === 'string') throw new DatasetError('a Parquet file must be read as bytes, not text');
    const rows = await parseParquet(data);
    return { format, rows, columns: columnsOf(rows), errors: [] };
  }
  const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
  const { rows, errors } = format === 'jsonl' ? parseJsonl(text) : format === 'json' ? parseJson(text) : parseCsv(text);
  return { format, rows, columns: columnsOf(rows), errors };
}
