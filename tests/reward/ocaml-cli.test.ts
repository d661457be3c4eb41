// `webgrpo reward ocaml` as a user runs it: JSON breakdown on stdout, compiler messages included, and a
// looping program answered at its check's own time limit, a valid one not cut on a busy machine.
import { describe, it, expect } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const bin = path.resolve(__dirname, '../../bin/webgrpo.mjs');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webgrpo-ocaml-'));
const problem = path.join(dir, 'problem.json');
fs.writeFileSync(
  problem,
  JSON.stringify({
    id: 'clamp',
    prompt: 'Write clamp',
    tests: ['clamp 0 10 5 = 5', 'clamp 0 10 (-3) = 0', 'clamp 0 10 42 = 10'],
  }),
);
const reward = (completion: string, ...args: string[]) =>
  spawnSync(process.execPath, [bin, 'reward', 'ocaml', '--problem', problem, ...args], {
    input: completion,
    encoding: 'utf8',
  });

const good = [
  'let clamp lo hi x =',
  '  if x < lo then',
  '    lo',
  '  else if x > hi then',
  '    hi',
  '  else',
  '    x',
  '',
  'let unused = 0',
  'END',
].join('\n');

describe('webgrpo reward ocaml', () => {
  it('prints the breakdown of a correct program', () => {
    const r = reward(good);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      problem: 'clamp',
      score: 1,
      tests_passed: 3,
      type_errors: 0,
      compiled: true,
    });
  });

  it('includes the compiler messages of each type error', () => {
    const bad = good.replace('    lo', '    lo + "x"').replace('let unused = 0', 'let unused = 0 +. 1.');
    const out = JSON.parse(reward(bad).stdout);
    expect(out).toMatchObject({ type_errors: 2, definitions: 2, compiled: false, tests_passed: 0 });
    expect(out.score).toBeCloseTo(0.05);
    expect(out.messages[0].text).toMatch(/Error: This expression has type/);
  });

  it("answers a looping program at its check's own time limit, plus a small margin", () => {
    let t = Date.now();
    reward(good);
    const startup = Date.now() - t; // the command's own start and a full check of a valid program
    const loop = good.replace('let unused = 0', 'let rec spin n = spin n\nlet unused = spin 0');
    t = Date.now();
    const r = reward(loop, '--option', 'time_limit_ms=3000');
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ status: 'timeout', compiled: true, tests_passed: 0 });
    expect(out.elapsed_ms).toBeGreaterThanOrEqual(3000);
    expect(out.elapsed_ms).toBeLessThan(3000 + 300);
    expect(Date.now() - t).toBeLessThan(startup + 3000 + 1500);
  });

  it('does not cut a valid program when the machine is busy', async () => {
    // two processes spinning on the CPU for the length of the check
    const hogs = [0, 1].map(() =>
      spawn(process.execPath, ['-e', 'const t = Date.now(); while (Date.now() - t < 20000) {}'], { stdio: 'ignore' }),
    );
    try {
      const r = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const p = spawn(process.execPath, [bin, 'reward', 'ocaml', '--problem', problem]);
        let stdout = '';
        p.stdout.on('data', (d) => (stdout += d));
        p.on('close', (code) => resolve({ code, stdout }));
        p.stdin.end(good);
      });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ status: 'ok', score: 1 });
    } finally {
      for (const h of hogs) h.kill();
    }
  });

  it('answers an allocation bomb within its time limit', () => {
    const bomb = good.replace(
      'let unused = 0',
      'let rec grow acc = grow (Array.make 1_000_000 0 :: acc)\nlet unused = grow []',
    );
    const out = JSON.parse(reward(bomb, '--option', 'time_limit_ms=4000').stdout);
    expect(out).toMatchObject({ compiled: true, tests_passed: 0 });
    expect(out.elapsed_ms).toBeLessThan(4000 + 300);
    expect(JSON.stringify(out.messages) + (out.reason ?? '')).toMatch(/Out_of_memory|did not finish/);
  });

  it('a missing problem file or a bad option is a one-line usage error', () => {
    const r = spawnSync(process.execPath, [bin, 'reward', 'ocaml', '--problem', path.join(dir, 'none.json')], {
      input: '',
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/no problem file/);
    expect(reward(good, '--option', 'time_limit=1').stderr).toMatch(/OcamlOptionError/);
  });
});
