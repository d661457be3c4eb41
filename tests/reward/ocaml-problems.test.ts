// The bundled OCaml problems (src/data/ocaml-problems.json): every reference solution scores 1.0 with the
// real compiler, and an empty answer, another problem's solution, or a broken one does not.
import { describe, it, expect, afterAll } from 'vitest';
import problems from '../../src/data/ocaml-problems.json';
import { OcamlChecker } from '../../src/reward/ocaml/client.ts';
import { nodeHost } from '../../src/reward/ocaml/node-host.ts';
import { gradeOcaml, OCAML_REWARD_DEFAULTS } from '../../src/reward/ocaml/reward.ts';
import { codeLineCount } from '../../src/reward/ocaml/code.ts';

interface Problem {
  id: string;
  prompt: string;
  tests: string[];
  solution: string;
}
const all = problems as Problem[];
const checker = new OcamlChecker(nodeHost());
afterAll(() => checker.dispose());
const grade = (p: Problem, completion: string) =>
  gradeOcaml(completion, p.tests, OCAML_REWARD_DEFAULTS, 'stop', checker);
const answer = (code: string) => `\`\`\`ocaml\n${code}\n\`\`\`\nEND`;

describe('OCaml problem set', () => {
  it('has at least 40 well-formed problems with unique ids', () => {
    expect(all.length).toBeGreaterThanOrEqual(40);
    expect(new Set(all.map((p) => p.id)).size).toBe(all.length);
    for (const p of all) {
      expect(p.prompt, p.id).toMatch(/END/);
      expect(p.tests.length, p.id).toBeGreaterThanOrEqual(3);
      expect(codeLineCount(p.solution), p.id).toBeGreaterThanOrEqual(OCAML_REWARD_DEFAULTS.min_code_lines);
    }
  });

  it('every reference solution scores 1.0', async () => {
    const failures: string[] = [];
    for (const p of all) {
      const r = await grade(p, answer(p.solution));
      if (r.score !== 1) failures.push(`${p.id}: ${JSON.stringify(r.details)}`);
    }
    expect(failures).toEqual([]);
  });

  it('an empty answer scores 0 and a solution to another problem scores below 1', async () => {
    for (const [i, p] of all.entries()) {
      expect((await grade(p, answer(''))).score, p.id).toBe(0);
      // the next problem whose solution defines none of this one's names (several define `reverse`...)
      const names = (code: string) =>
        [...code.matchAll(/^(?:let|and)(?: rec)? ([a-z_][A-Za-z0-9_']*)/gm)].map((m) => m[1]);
      const mine = new Set(names(p.solution));
      const other = [...all.slice(i + 1), ...all.slice(0, i)].find((o) => !names(o.solution).some((n) => mine.has(n)))!;
      expect((await grade(p, answer(other.solution))).score, `${p.id} with ${other.id}'s solution`).toBeLessThan(1);
    }
  });

  it('a broken solution (its first definition replaced by a wrong one) scores below 1', async () => {
    const p = all.find((x) => x.id === 'merge_sort')!;
    const wrong = p.solution.replace(
      'if x <= y then x :: merge ra b else y :: merge a rb',
      'if x <= y then y :: merge a rb else x :: merge ra b',
    );
    const r = await grade(p, answer(wrong));
    expect(r.score).toBeLessThan(1);
    expect(r.details).toMatchObject({ compiled: true });
  });
});
