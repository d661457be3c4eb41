// Completions built to make the math grader's extraction slow (backtracking regular expressions, rescans of
// growing prefixes): each 1 MB input must be graded in well under a second, through gradeMath and through
// `webgrpo reward math`, and a completion past MAX_COMPLETION_CHARS says in its reason that it was cut.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { gradeMath, MAX_COMPLETION_CHARS } from '../../src/reward/math.ts';
import { CHECK_DEADLINE_MS } from '../../src/reward/math-expr.ts';

const MB = 1_000_000;
/** `fn`'s result and CPU time (user + system, ms) in this process: on a shared machine wall time measures its load. */
function timed<T>(fn: () => T): { value: T; cpuMs: number } {
  const start = process.cpuUsage();
  const value = fn();
  const d = process.cpuUsage(start);
  return { value, cpuMs: (d.user + d.system) / 1000 };
}

const fill = (unit: string, n = MB) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

export const ADVERSARIAL: Record<string, string> = {
  'frac then spaces': '\\frac{' + ' '.repeat(MB),
  'A then spaces': 'A' + ' '.repeat(MB),
  'new questions': fill('\nQ:'),
  '#### 1 2 ... 100000': '#### ' + Array.from({ length: 100_000 }, (_, i) => i + 1).join(' '),
  'nested braces': '\\boxed{' + '{'.repeat(MB / 2) + '}'.repeat(MB / 2 - 10),
  'many boxed': fill('\\boxed{'),
  'boxed without braces': fill('\\boxedA'),
  'long digit run': '9'.repeat(MB),
  'long decimal': '1.' + '2'.repeat(MB),
  'many dollars': fill('$') + '5',
  'many $1$': fill('$1$'),
  'answer is, repeated': fill('answer is '),
  'open fractions': fill('\\frac{1}{'),
  'times ten': fill('1 \\times 10^'),
  'degrees caret': fill('^ '),
  'Final Answer then newlines': 'Final Answer' + '\n'.repeat(MB),
  'answer then spaces': 'answer' + ' '.repeat(MB),
  'hash then digits': '#### ' + '1'.repeat(MB),
  commas: fill('1,'),
  slashes: fill('1/'),
};

describe('adversarial completions (1 MB each)', () => {
  // the expression grader's engine is set up once per process (a few hundred ms), not per check
  beforeAll(() => void gradeMath('\\boxed{x+1}', '1+x'));

  it.each(Object.entries(ADVERSARIAL))('%s is graded in well under a second', (_name, completion) => {
    for (const gold of ['5', '\\frac{\\sqrt{3}}{2}']) {
      const { value: v, cpuMs } = timed(() => gradeMath(completion, gold));
      expect(cpuMs).toBeLessThan(500);
      expect(v.score).toBe(0);
      expect(v.reason).toMatch(new RegExp(`only its first ${MAX_COMPLETION_CHARS} were read`));
      expect((v.extracted ?? '').length).toBeLessThanOrEqual(201);
    }
  });

  it('a long answer line is refused with a reason, not read', () => {
    const v = gradeMath('#### ' + '1 '.repeat(5000), '1');
    expect(v).toMatchObject({ score: 0, rule: 'hash' });
    expect(v.reason).toMatch(/answers over 1000 are not read/);
  });
});

// Answers (inside \boxed{}, so short enough to be read) built to make the algebra slow or wrong: exact
// arithmetic on huge numbers, loops sized by the input, deep nesting, many variables. Each check has a
// deadline; what could ignore it (a binomial of 10^9 factors took 18 s) is bounded by size.
export const ALGEBRA_BOMBS: Record<string, string> = {
  'huge binomial': '\\binom{10^{9}}{5 \\cdot 10^{8}}',
  'huge choose': '{2^{60} \\choose 2^{59}}',
  'power tower': '10^{10^{10^{10}}}',
  '9^9^9^9 (double superscript)': '9^9^9^9',
  'power tower in braces': '9^{9^{9^{9}}}',
  'giant factorial': '100000!',
  'nested factorials': '((100!)!)!',
  'factorial run': '3' + '!'.repeat(900),
  'deep sqrt': '\\sqrt{'.repeat(24) + '2' + '}'.repeat(24),
  'deeper sqrt (refused)': '\\sqrt{'.repeat(200) + '2' + '}'.repeat(200),
  'huge power of a sum': '(x+y)^{99999999} - x^{99999999}',
  'huge root': '\\sqrt[1000000]{x}',
  'many variables': Array.from({ length: 120 }, (_, i) => `a_{${i}}`).join('+'),
  'long product of letters': 'x'.repeat(990),
  'long sum': Array(490).fill('1').join('+'),
  'big sum': '\\sum_{k=1}^{10^{12}} k^{2}',
  'big product': '\\prod_{k=1}^{10^{9}} k',
  integral: '\\int_0^{10^{9}} x^{x^x} dx',
  'long repeating decimal': '0.\\overline{' + '123456789'.repeat(100) + '}',
  'many plus/minus': Array(100).fill('\\pm 1').join(''),
  'long equation chain': Array(300).fill('x').join('='),
  'big matrix': `\\begin{pmatrix}${Array(20).fill(Array(20).fill('1').join('&')).join('\\\\')}\\end{pmatrix}`,
  'huge exponent in scientific notation': '1.5 \\times 10^{100000000}',
};

describe('adversarial answers to the algebra', () => {
  it.each(Object.entries(ALGEBRA_BOMBS))('%s is graded within the check deadline', (_name, answer) => {
    for (const gold of ['5', 'x^2+1']) {
      const { value: v, cpuMs } = timed(() => gradeMath(`so \\boxed{${answer}}`, gold));
      expect(cpuMs).toBeLessThan(CHECK_DEADLINE_MS + 500);
      expect(v.score, v.reason).toBe(0);
    }
  });
});

const root = path.resolve(__dirname, '../..');
// the command as the router runs it, reporting its CPU time (user + system, ms) on stderr: wall time on a
// shared machine measures the machine's load more than the grader
const script = `import('./src/cli/reward.ts').then((m) => m.run(process.argv.slice(1))).then((c) => { const u = process.cpuUsage(); process.stderr.write('cpu_ms ' + (u.user + u.system) / 1000 + '\\n'); process.exit(c); }, (e) => { process.stderr.write(e.name + ': ' + e.message + '\\n'); process.exit(1); })`;

function cli(stdin: string): { ms: number; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script, 'math', '--gold', '5'], {
    cwd: root,
    input: stdin,
    encoding: 'utf8',
    maxBuffer: 16 * MB,
  });
  if (r.status !== 0) throw new Error(`webgrpo reward math exited ${r.status}: ${r.stderr}`);
  return { ms: Number(/cpu_ms ([\d.]+)/.exec(r.stderr)![1]), out: r.stdout };
}

describe('webgrpo reward math on adversarial completions', () => {
  it('grades each of the slowest known inputs within a second of CPU more than a trivial one', () => {
    // the least CPU time of two runs of each, so that a busy machine's noise in starting Node is not counted
    const least = (stdin: string) => {
      const [a, b] = [cli(stdin), cli(stdin)];
      expect(JSON.parse(a.out)).toEqual(JSON.parse(b.out));
      return { ms: Math.min(a.ms, b.ms), verdict: JSON.parse(a.out) };
    };
    const baseline = least('The answer is 5.').ms;
    for (const name of ['frac then spaces', 'A then spaces', 'new questions', '#### 1 2 ... 100000']) {
      const r = least(ADVERSARIAL[name]);
      expect(r.ms - baseline, name).toBeLessThan(1000);
      expect(r.verdict).toMatchObject({ score: 0 });
    }
  });
});
