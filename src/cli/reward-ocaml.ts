// `webgrpo reward ocaml --problem problem.json [--id ID] [--finish stop|length] [--option key=value]... < completion.txt`
// Grades the completion on stdin with the OCaml reward against the problem's tests and prints the JSON
// breakdown: the score, its parts, the type errors with the compiler's messages, which tests passed.
// The problem file is one problem as JSON, or a JSON list / JSONL file of problems (--id picks one;
// default the first). Options are the reward's (time_limit_ms, memory_mb, weight_tests, ...).
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { gradeOcaml, parseOcamlOptions, testsOf, OcamlChecker } from '../reward/ocaml/index.ts';
import { readStdin } from './reward.ts';

class UsageError extends Error {
  readonly name = 'UsageError';
}

const USAGE =
  'Usage: webgrpo reward ocaml --problem problem.json [--id ID] [--finish stop|length] [--option key=value]... < completion.txt';

/** Every problem in a .json (object or list) or .jsonl file. */
export function readProblems(file: string): Record<string, unknown>[] {
  if (!fs.existsSync(file)) throw new UsageError(`no problem file ${file}`);
  const text = fs.readFileSync(file, 'utf8').trim();
  const parse = (s: string, where: string) => {
    try {
      return JSON.parse(s) as unknown;
    } catch (e) {
      throw new UsageError(`${where} is not valid JSON: ${(e as Error).message}`);
    }
  };
  let v: unknown;
  if (text.startsWith('[') || !text.includes('\n') || file.endsWith('.json')) v = parse(text, file);
  else
    v = text
      .split('\n')
      .filter((l) => l.trim())
      .map((l, i) => parse(l, `${file} line ${i + 1}`));
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((p) => p && typeof p === 'object' && !Array.isArray(p)))
    throw new UsageError(`${file} must hold problem objects {"id", "prompt", "tests": [...]}`);
  return list as Record<string, unknown>[];
}

/** `key=value` with value read as JSON when it parses (numbers, booleans), else as text. */
function parseOption(kv: string): [string, unknown] {
  const at = kv.indexOf('=');
  if (at <= 0) throw new UsageError(`--option takes key=value, got "${kv}"`);
  const raw = kv.slice(at + 1);
  try {
    return [kv.slice(0, at), JSON.parse(raw)];
  } catch {
    return [kv.slice(0, at), raw];
  }
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: {
        problem: { type: 'string' },
        id: { type: 'string' },
        finish: { type: 'string', default: 'stop' },
        option: { type: 'string', multiple: true, default: [] },
      },
    }).values;
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
  if (!values.problem) throw new UsageError(`--problem is required\n${USAGE}`);
  if (values.finish !== 'stop' && values.finish !== 'length')
    throw new UsageError(`--finish must be stop or length, got "${values.finish}"`);
  const problems = readProblems(values.problem);
  const problem = values.id === undefined ? problems[0] : problems.find((p) => String(p.id) === values.id);
  if (!problem) throw new UsageError(`no problem with id "${values.id}" in ${values.problem}`);
  const options = parseOcamlOptions(Object.fromEntries(values.option.map(parseOption)));
  const tests = testsOf(problem, options.tests_field);
  const checker = await OcamlChecker.shared();
  try {
    // The time limit is the check's own, as in a training run: it counts from when the warm worker begins
    // the check, so what starting the command takes (bundling, the worker) neither shortens nor joins it.
    const [completion] = await Promise.all([readStdin(), checker.warm()]);
    const result = await gradeOcaml(completion, tests, options, values.finish, checker);
    process.stdout.write(
      `${JSON.stringify({ problem: problem.id ?? null, score: result.score, ...result.details }, null, 2)}\n`,
    );
  } finally {
    checker.dispose();
  }
  return 0;
}
