// `webgrpo reward <kind> ...`: score a completion read from stdin with one reward function and print the
// JSON breakdown (`math --jsonl` scores many). It is how a user debugs a reward. `serve` scores JSONL
// requests of any reward until stdin ends. Each kind lives in its own file (reward-<kind>.ts).
const KINDS: Record<string, () => Promise<{ run: (argv: string[]) => Promise<number> }>> = {
  math: () => import('./reward-math.ts'),
  ocaml: () => import('./reward-ocaml.ts'),
  python_deduction: async () => ({ run: (await import('./reward-python.ts')).runner('python_deduction') }),
  python_abduction: async () => ({ run: (await import('./reward-python.ts')).runner('python_abduction') }),
  serve: () => import('./reward-serve.ts'),
};

export async function run(argv: string[]): Promise<number> {
  const [kind, ...rest] = argv;
  const load = kind ? KINDS[kind] : undefined;
  if (!load) {
    process.stderr.write(
      `Usage: webgrpo reward <math|ocaml|python_deduction|python_abduction> [options] < completion.txt\n       webgrpo reward math --jsonl < items.jsonl\n       webgrpo reward serve < requests.jsonl\n`,
    );
    return 2;
  }
  return (await load()).run(rest);
}
