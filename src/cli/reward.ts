// `webgrpo reward <kind> ...`: score a completion read from stdin with one reward function and print the
// JSON breakdown. It is how a user debugs a reward. Each kind lives in its own file (reward-<kind>.ts).
const KINDS: Record<string, () => Promise<{ run: (argv: string[]) => Promise<number> }>> = {
  math: () => import('./reward-math.ts'),
  ocaml: () => import('./reward-ocaml.ts'),
};

export async function run(argv: string[]): Promise<number> {
  const [kind, ...rest] = argv;
  const load = kind ? KINDS[kind] : undefined;
  if (!load) {
    process.stderr.write(`Usage: webgrpo reward <${Object.keys(KINDS).join('|')}> [options] < completion.txt\n`);
    return 2;
  }
  return (await load()).run(rest);
}

/** Reads all of stdin as UTF-8 text. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
