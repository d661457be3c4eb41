// The `webgrpo` command. Each subcommand lives in its own file and exports `run(argv): Promise<number>`
// (the exit code); this file only routes. Add a command by adding one row to COMMANDS.
//
//   npx webgrpo <command> [options]      npx webgrpo help
import { oneLine } from './page-error.ts';

type Command = { summary: string; load: () => Promise<{ run: (argv: string[]) => Promise<number> }> };

const COMMANDS: Record<string, Command> = {
  logits: { summary: "print a model's logits for token ids as JSON", load: () => import('./logits.ts') },
  generate: {
    summary: 'generate token ids from a model (greedy or sampled) as JSON',
    load: () => import('./generate.ts'),
  },
  reward: {
    summary: 'score a completion (stdin) with a reward function and print the breakdown',
    load: () => import('./reward.ts'),
  },
  env: {
    summary: 'play an environment (grid_world, crafting) with actions from stdin; prints each turn and the episode',
    load: () => import('./env.ts'),
  },
  config: {
    summary: "convert a TRL GRPO config to ours (from-trl FILE) or ours to TRL's YAML (to-trl run.json)",
    load: () => import('./config.ts'),
  },
  export: {
    summary:
      'write a TRL project (export trl --config run.json --out DIR): train.py, rewards.py, data, accelerate configs',
    load: () => import('./export.ts'),
  },
  train: {
    summary: 'train headless in Chromium (--preset, --config or --link); writes metrics, adapter, summary',
    load: () => import('./train.ts'),
  },
  eval: {
    summary: "evaluate a model (+ PEFT adapter) headless in Chromium on a dataset's held-out split",
    load: () => import('./eval.ts'),
  },
  'make-demo-model': {
    summary: 'rebuild the bundled demo model (maintainers)',
    load: () => import('./make-demo-model.ts'),
  },
  bench: { summary: 'measure decode tokens/s and training-step time and memory', load: () => import('./bench.ts') },
  'bench-gpu': {
    summary: 'the GPU benchmark in one go (qwen2.5-0.5b, with peer figures); for a machine with a GPU',
    load: () => import('./bench-gpu.ts'),
  },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(16)} ${c.summary}`);
  return `Usage: webgrpo <command> [options]\n\nCommands:\n${rows.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name ? 0 : 1;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`webgrpo: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await (await cmd.load()).run(rest);
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    // one line (a usage error adds the usage text): no stack, no call log of the browser driver
    const message = err.name === 'UsageError' ? err.message : oneLine(err.message);
    process.stderr.write(`webgrpo ${name}: ${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${message}\n`);
    if (process.env.WEBGRPO_DEBUG) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
