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
  it('a missing --gold is a usage error', () => {
    const r = rewardMath('x');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--gold is required/);
  });
});
