// What the checker rewards' commands share (`webgrpo reward ocaml`, `reward python_deduction|abduction`):
// the problem file (one problem as JSON, a JSON list or a JSONL file), --id to pick one (default the
// first), --option key=value for the reward's options, the completion on stdin read while the checker's
// worker warms up, and the JSON breakdown printed.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { readStdin } from './stdin.ts';

// Not args.ts's UsageError: that module loads the tensor engine, which grading text does not need.
export class UsageError extends Error {
  readonly name = 'UsageError';
}

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

export interface CheckerArgs {
  problem: Record<string, unknown>;
  options: Record<string, unknown>;
  /** Values of the command's own flags (`extra`). */
  flags: Record<string, string | undefined>;
}

/** --problem, --id and --option, and the command's own string flags (with their defaults). */
export function checkerArgs(argv: string[], usage: string, extra: Record<string, string> = {}): CheckerArgs {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: {
        problem: { type: 'string' },
        id: { type: 'string' },
        option: { type: 'string', multiple: true, default: [] },
        ...Object.fromEntries(Object.entries(extra).map(([k, d]) => [k, { type: 'string' as const, default: d }])),
      },
    }).values as { problem?: string; id?: string; option: string[] } & Record<string, string | undefined>;
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${usage}`);
  }
  if (!values.problem) throw new UsageError(`--problem is required\n${usage}`);
  const problems = readProblems(values.problem);
  const problem = values.id === undefined ? problems[0] : problems.find((p) => String(p.id) === values.id);
  if (!problem) throw new UsageError(`no problem with id "${values.id}" in ${values.problem}`);
  const flags = Object.fromEntries(Object.keys(extra).map((k) => [k, values[k]]));
  return { problem, options: Object.fromEntries(values.option.map(parseOption)), flags };
}

/**
 * Reads the completion while `checker` warms up, grades it and prints the breakdown. The time limit is the
 * check's own, as in a training run: it counts from when the warm worker begins the check, so what
 * starting the command takes (bundling, the worker) neither shortens nor joins it.
 */
export async function gradeAndPrint<C extends { warm(): Promise<unknown>; dispose(): void }>(
  checker: C,
  problem: Record<string, unknown>,
  grade: (completion: string) => Promise<{ score: number | null; details?: Record<string, unknown> }>,
): Promise<number> {
  try {
    const [completion] = await Promise.all([readStdin(), checker.warm()]);
    const result = await grade(completion);
    process.stdout.write(
      `${JSON.stringify({ problem: problem.id ?? null, score: result.score, ...result.details }, null, 2)}\n`,
    );
  } finally {
    checker.dispose();
  }
  return 0;
}
