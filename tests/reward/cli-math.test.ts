// `webgrpo reward math`: the completion on stdin, the verdict as JSON on stdout. Runs the command's module
// through tsx as the router does (the bundled binary needs every reward kind of the router to be present).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const script = `import('./src/cli/reward.ts').then((m) => m.run(process.argv.slice(1))).then((c) => process.exit(c), (e) => { process.stderr.write(e.name + ': ' + e.message + '\\n'); process.exit(1); })`;

function rewardMath(stdin: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script, 'math', ...args], {
    cwd: root,
    input: stdin,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('webgrpo reward math', () => {
  it('prints the score, the extracted answer and the rule', () => {
    const r = rewardMath('She sells 9 eggs at $2 each.\nSo she makes 9 * 2 = $18.\nThe answer is $18.', '--gold', '18');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      score: 1,
      rule: 'answer_is',
      extracted: '$18',
      value: 18,
      gold: 18,
      reason: 'equal to the gold answer',
    });
  });
  it('reads a whole GSM8K solution as the gold; --strict ignores bare numbers', () => {
    expect(
      JSON.parse(rewardMath('so 72', '--gold', 'Natalia sold 48+24 = <<48+24=72>>72 clips.\n#### 72').out),
    ).toMatchObject({ score: 1, rule: 'last_number', gold: 72 });
    expect(JSON.parse(rewardMath('so 72', '--gold', '72', '--strict').out)).toMatchObject({ score: 0, rule: null });
  });
  it('grades a LaTeX gold by meaning, says why, and takes --mode', () => {
    const v = JSON.parse(rewardMath('so \\boxed{[0, \\tfrac12)}', '--gold', '\\left[0, \\frac{1}{2}\\right)').out);
    expect(v).toMatchObject({ score: 1, rule: 'boxed', extracted: '[0, \\tfrac12)' });
    expect(v.reason).toMatch(/equal to the gold answer as mathematics/);
    const open = JSON.parse(rewardMath('so \\boxed{(0, \\tfrac12)}', '--gold', '[0, \\frac{1}{2})').out);
    expect(open.score).toBe(0);
    expect(JSON.parse(rewardMath('\\boxed{5\\sqrt{2}}', '--gold', '5', '--mode', 'number').out).score).toBe(1);
    expect(JSON.parse(rewardMath('\\boxed{5\\sqrt{2}}', '--gold', '5').out).score).toBe(0);
    expect(rewardMath('x', '--gold', '5', '--mode', 'symbolic').err).toMatch(
      /--mode must be auto, number or expression/,
    );
  });
  it('--help prints the usage and succeeds', () => {
    const r = rewardMath('', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage: webgrpo reward math --gold/);
  });
  it('a missing --gold is a usage error', () => {
    const r = rewardMath('x');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--gold is required/);
  });
});
