// Uploaded files: JSONL with a bad line (named, the rest still load), JSON, CSV with quotes, Parquet; and
// Hub datasets through the Parquet listing, with a stand-in fetch.
import { describe, expect, it } from 'vitest';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { parseDatasetFile, parseCsv, parseJson, fileFormat } from '../../src/data/parse.ts';
import { loadHubSplit, HubDatasetError } from '../../src/data/hub.ts';
import { DatasetError } from '../../src/data/types.ts';

const parquet = () =>
  parquetWriteBuffer({
    columnData: [
      { name: 'question', data: ['What is 2 + 3?', 'What is 7 - 4?'], type: 'STRING' },
      { name: 'answer', data: ['5', '3'], type: 'STRING' },
      { name: 'id', data: [1n, 2n], type: 'INT64' },
    ],
  });

describe('uploads', () => {
  it('JSONL: a malformed line is named and the other rows load', async () => {
    const text = '{"q": "a", "a": "1"}\n{"q": "b", "a": 2}\n{"q": "c", "a": \n\n[1,2]\n{"q": "d", "x": true}\n';
    const r = await parseDatasetFile('up.jsonl', text);
    expect(r.rows).toHaveLength(3);
    expect(r.columns).toEqual(['q', 'a', 'x']);
    expect(r.errors.map((e) => e.line)).toEqual([3, 5]);
    expect(r.errors[0].message).toMatch(/^line 3 is not valid JSON/);
    expect(r.errors[1].message).toMatch(/line 5 is an array/);
  });
  it('JSON: arrays, {rows}, and the line of a syntax error', () => {
    expect(parseJson('[{"a": 1}]').rows).toEqual([{ a: 1 }]);
    expect(parseJson('{"data": [{"a": 1}, 3]}')).toMatchObject({
      rows: [{ a: 1 }],
      errors: [{ message: 'item 1 of the array is not an object' }],
    });
    const bad = parseJson('[\n{"a": 1},\n{"a": }\n]');
    expect(bad.rows).toEqual([]);
    expect(bad.errors[0].line).toBe(3);
  });
  it('CSV: quoted commas, quotes and line breaks; a short line is named', () => {
    const r = parseCsv('question,answer\n"Is it 1,000?",yes\n"He said ""hi""\nthen left",ok\nbroken\nlast,row\n');
    expect(r.rows).toEqual([
      { question: 'Is it 1,000?', answer: 'yes' },
      { question: 'He said "hi"\nthen left', answer: 'ok' },
      { question: 'last', answer: 'row' },
    ]);
    expect(r.errors).toEqual([{ line: 5, message: 'line 5 has 1 fields, the header has 2' }]);
  });
  it('Parquet, with 64-bit integers as numbers', async () => {
    const r = await parseDatasetFile('d.parquet', parquet());
    expect(r.rows).toEqual([
      { question: 'What is 2 + 3?', answer: '5', id: 1 },
      { question: 'What is 7 - 4?', answer: '3', id: 2 },
    ]);
    await expect(parseDatasetFile('d.parquet', new ArrayBuffer(8))).rejects.toThrow(DatasetError);
  });
  it('refuses other file types with the ones it reads', () => {
    expect(() => fileFormat('data.xlsx')).toThrow(/\.jsonl, \.json, \.csv or \.parquet/);
  });
});

describe('Hub datasets', () => {
  const files: Record<string, () => Response> = {
    'https://hub.test/api/datasets/me/math/parquet/default/train': () =>
      Response.json(['https://hub.test/f0.parquet', 'https://hub.test/f1.parquet']),
    'https://hub.test/f0.parquet': () => new Response(parquet()),
    'https://hub.test/f1.parquet': () => new Response(parquet()),
  };
  const fakeFetch = (async (url: string) =>
    files[url] ? files[url]() : new Response('no', { status: 404 })) as unknown as typeof fetch;

  it('reads every Parquet file of a split, up to maxRows', async () => {
    const o = { endpoint: 'https://hub.test', fetch: fakeFetch };
    expect(await loadHubSplit('me/math', 'default', 'train', o)).toHaveLength(4);
    expect(await loadHubSplit('me/math', 'default', 'train', { ...o, maxRows: 3 })).toHaveLength(3);
  });
  it('says what is missing', async () => {
    await expect(
      loadHubSplit('me/math', 'default', 'test', { endpoint: 'https://hub.test', fetch: fakeFetch }),
    ).rejects.toThrow(/no dataset me\/math \(config "default", split "test"\)/);
    await expect(loadHubSplit('gsm8k', 'main', 'train', { fetch: fakeFetch })).rejects.toBeInstanceOf(HubDatasetError);
  });
});
