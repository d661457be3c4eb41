// `webgrpo reward ocaml --problem problem.json [--id ID] [--finish stop|length] [--option key=value]... < completion.txt`
// Grades the completion on stdin with the OCaml reward against the problem's tests and prints the JSON
// breakdown: the score, its parts, the type errors with the compiler's messages, which tests passed.
// The problem file is one problem as JSON, or a JSON list / JSONL file of problems (--id picks one;
// default the first). Options are the reward's (time_limit_ms, memory_mb, weight_tests, ...).
import { gradeOcaml, parseOcamlOptions, testsOf, OcamlChecker } from '../reward/ocaml/index.ts';
import { checkerArgs, gradeAndPrint, UsageError } from './reward-checker-cli.ts';

export { readProblems } from './reward-checker-cli.ts';

const USAGE =
  'Usage: webgrpo reward ocaml --problem problem.json [--id ID] [--finish stop|length] [--option key=value]... < completion.txt';

export async function run(argv: string[]): Promise<number> {
  const { problem, options: raw, flags } = checkerArgs(argv, USAGE, { finish: 'stop' });
  const finish = flags.finish;
  if (finish !== 'stop' && finish !== 'length')
    throw new UsageError(`--finish must be stop or length, got "${finish}"`);
  const options = parseOcamlOptions(raw);
  const tests = testsOf(problem, options.tests_field);
  const checker = await OcamlChecker.shared();
  return gradeAndPrint(checker, problem, (completion) => gradeOcaml(completion, tests, options, finish, checker));
}
