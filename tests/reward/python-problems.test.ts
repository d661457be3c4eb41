// The bundled Python problems: every reference answer scores 1.0 in the checker, and the extractors
// find answers in the forms the prompts ask for. One Pyodide runs all of them.
import { describe, it, expect, afterAll } from 'vitest';
import problems from '../../src/data/python-problems.json';
import { PythonChecker } from '../../src/reward/python/client.ts';
import { nodeHost } from '../../src/reward/python/node-host.ts';
import { extractInput, extractProgram, normalizeOutput } from '../../src/reward/python/extract.ts';
import {
  gradeAbduction,
  gradeDeduction,
  parseAbductionOptions,
  parseDeductionOptions,
  pythonTestsOf,
  textFieldOf,
} from '../../src/reward/python/reward.ts';
import { loadHubSplit } from '../../src/data/hub.ts';
import { rowsParquet } from '../../src/data/export-rows.ts';

const checker = new PythonChecker(nodeHost());
afterAll(() => checker.dispose());

describe('python extractors', () => {
  it('finds the last tagged input, else the last fence', () => {
    expect(extractInput('<input>1</input> then <input>\n2 3\n</input>')).toEqual({ text: '2 3\n', source: 'tag' });
    expect(extractInput('```\n5\n```')).toEqual({ text: '5\n', source: 'fence' });
    expect(extractInput('just 5')).toBeNull();
  });
  it('prefers a python fence', () => {
    expect(extractProgram('```python\nprint(1)\n```\n```text\nout\n```')?.text).toBe('print(1)\n');
    expect(extractProgram('```\nprint(2)\n```')?.text).toBe('print(2)\n');
    expect(extractProgram('print(3)')).toBeNull();
  });
  it('ignores trailing whitespace only', () => {
    expect(normalizeOutput('a  \nb\n\n')).toBe('a\nb');
    expect(normalizeOutput(' a')).toBe(' a');
  });
  it('reads tests given as JSON text and refuses malformed ones', () => {
    expect(pythonTestsOf({ t: '[{"input":"1","output":"2"}]' }, 't')).toHaveLength(1);
    expect(() => pythonTestsOf({ t: [{ input: 1 }] }, 't')).toThrow(/list of \{"input"/);
  });
});

describe('bundled python problems', () => {
  it('has at least 40 of each kind with unique ids', () => {
    expect(problems.deduction.length).toBeGreaterThanOrEqual(40);
    expect(problems.abduction.length).toBeGreaterThanOrEqual(40);
    const ids = [...problems.deduction, ...problems.abduction].map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('every deduction reference program passes all its tests', async () => {
    const o = parseDeductionOptions({ time_limit_ms: 20_000 });
    const scores = [];
    for (const p of problems.deduction)
      scores.push([p.id, (await gradeDeduction(p.solution, p.tests, o, checker)).score]);
    expect(scores.filter(([, s]) => s !== 1)).toEqual([]);
  });

  it('every abduction reference input makes its program print the expected output', async () => {
    const o = parseAbductionOptions({ time_limit_ms: 20_000 });
    const scores = [];
    for (const p of problems.abduction)
      scores.push([p.id, (await gradeAbduction(p.answer, p.program, p.expected_output, o, checker)).score]);
    expect(scores.filter(([, s]) => s !== 1)).toEqual([]);
  });
});

describe('a Hub dataset with the same fields', () => {
  it('loads through the Hub path (Parquet, tests as JSON text) and its rows score through the graders', async () => {
    const d = problems.deduction[0],
      a = problems.abduction[0];
    const endpoint = 'http://127.0.0.1:4999';
    const listing = `${endpoint}/api/datasets/owner/py/parquet/default/train`;
    const fetch = (async (input: string | URL | Request) => {
      const url = String(input);
      if (url === listing) return Response.json([`${listing}/0.parquet`]);
      if (url !== `${listing}/0.parquet`) return new Response('not found', { status: 404 });
      return new Response(
        rowsParquet([
          { prompt: d.prompt, tests: JSON.stringify(d.tests), program: '', expected_output: '' },
          { prompt: a.prompt, tests: '[]', program: a.program, expected_output: a.expected_output },
        ]),
      );
    }) as typeof globalThis.fetch;
    const rows = await loadHubSplit('owner/py', 'default', 'train', { endpoint, fetch, cache: false });
    const ded = await gradeDeduction(
      `Here it is:\n${d.solution}\n`, // the reference answers are whole completions
      pythonTestsOf(rows[0], 'tests'),
      parseDeductionOptions({ time_limit_ms: 20_000 }),
      checker,
    );
    expect(ded.score).toBe(1);
    const abd = await gradeAbduction(
      `The input is ${a.answer}.`,
      textFieldOf(rows[1], 'program'),
      textFieldOf(rows[1], 'expected_output'),
      parseAbductionOptions({ time_limit_ms: 20_000 }),
      checker,
    );
    expect(abd.score).toBe(1);
  });
});
