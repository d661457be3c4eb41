// `webgrpo reward serve`: the scorer the exported TRL project calls gives the very scores of the app's
// rewards, batch by batch, and answers malformed requests without stopping.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { serveOne } from '../../src/cli/reward-serve.ts';
import { gradeMath } from '../../src/reward/math.ts';

const SOLUTIONS = path.resolve(__dirname, '../../fixtures/gsm8k/example_model_solutions.jsonl');

describe('reward serve', () => {
  it('scores 200 graded GSM8K solutions in one request exactly as the math grader', async () => {
    const rows = fs
      .readFileSync(SOLUTIONS, 'utf8')
      .split('\n')
      .filter(Boolean)
      .slice(0, 100)
      .map((l) => JSON.parse(l) as Record<string, Record<string, unknown> | string>);
    const samples = rows.flatMap((r) =>
      ['6b_finetuning', '175b_verification'].map((k) => ({
        completion: String((r[k] as Record<string, unknown>).solution),
        row: { answer: r.ground_truth },
      })),
    );
    expect(samples).toHaveLength(200);
    const reply = await serveOne(JSON.stringify({ id: 7, reward: 'math', samples }));
    expect(reply.id).toBe(7);
    expect(reply.scores).toEqual(samples.map((s) => gradeMath(s.completion, String(s.row.answer)).score));
  });
  it('passes options, returns details on request, and scores a throwing sample null with its error', async () => {
    const reply = await serveOne(
      JSON.stringify({
        reward: 'format',
        options: { style: 'regex', pattern: '^A' },
        details: true,
        samples: [{ completion: 'A yes' }, { completion: 'B no' }],
      }),
    );
    expect(reply.scores).toEqual([1, 0]);
    expect((reply.details as unknown[])[0]).toMatchObject({ matched: true });
    const bad = await serveOne(JSON.stringify({ reward: 'overlong', samples: [{ completion: 'x' }] }));
    expect(bad.scores).toEqual([null]);
    expect((bad.errors as string[])[0]).toMatch(/max_length/);
  });
  it('answers a malformed request with a reason and the nearest option name', async () => {
    expect((await serveOne('not json')).error).toMatch(/not JSON/);
    expect((await serveOne(JSON.stringify({ reward: 'math', options: { strcit: true }, samples: [] }))).error).toMatch(
      /did you mean strict\?/,
    );
    expect((await serveOne(JSON.stringify({ reward: 'nope', samples: [] }))).error).toMatch(/registered: /);
    expect((await serveOne(JSON.stringify({ reward: 'math', samples: [{}] }))).error).toMatch(/completion/);
  });
});
