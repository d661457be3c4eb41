// `webgrpo env <name> [--seed N] [--option key=value]... [--max-turns N]` plays one episode of an
// environment with actions read from stdin, one per line: typed at a terminal, or piped from a file. It is
// how a user tries an environment, or checks what it answers to a model's turns. It prints the
// instructions and the first observation, then each turn's observation and reward, and at the end one JSON
// line: the episode as evaluation records it (env, seed, per-turn rewards, return, success, turns, end).
// `webgrpo env --list` lists the environments with their default options.
//
//   printf 'pick up the purple key\ngo south\ngo east\ngo east\nopen door\n' | webgrpo env grid_world --seed 3
import { parseArgs } from 'node:util';
import readline from 'node:readline';
import '../env/builtins.ts';
import { envDef, envDefs } from '../env/registry.ts';
import { LocalEnvHost } from '../env/host.ts';
import type { EpisodeRecord } from '../env/types.ts';

class UsageError extends Error {
  readonly name = 'UsageError';
}

const USAGE =
  'Usage: webgrpo env <name> [--seed N] [--option key=value]... [--max-turns N] < actions.txt\n       webgrpo env --list';

function parseOption(kv: string): [string, unknown] {
  const at = kv.indexOf('=');
  if (at <= 0) throw new UsageError(`--option takes key=value, got "${kv}"\n${USAGE}`);
  const raw = kv.slice(at + 1);
  try {
    return [kv.slice(0, at), JSON.parse(raw)];
  } catch {
    return [kv.slice(0, at), raw];
  }
}

function intOption(v: string | undefined, name: string, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} ${v}: give an integer of at least ${min}`);
  return n;
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        seed: { type: 'string' },
        option: { type: 'string', multiple: true, default: [] },
        'max-turns': { type: 'string' },
        list: { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(argv);
  if (v.list) {
    for (const d of envDefs())
      process.stdout.write(`${d.name}: ${d.description}\n  defaults ${JSON.stringify(d.defaults)}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(USAGE);
  const def = envDef(positionals[0]);
  const seed = intOption(v.seed, 'seed', 0, 0);
  const maxTurns = intOption(v['max-turns'], 'max-turns', def.defaultMaxTurns, 1);
  // under the run's default limits: a step's deadline (which abandons an async step) and the observation cap
  const env = new LocalEnvHost({ [def.name]: def }).create(def.name, Object.fromEntries(v.option.map(parseOption)));
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`${def.instructions}\n\n${await env.reset(seed)}`);
  const record: EpisodeRecord = {
    env: def.name,
    seed,
    rewards: [],
    return: 0,
    success: false,
    turns: 0,
    end: 'length',
  };
  const lines = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const action of lines) {
    const r = await env.step(action);
    record.rewards.push(r.reward);
    record.return += r.reward;
    record.turns++;
    record.success = r.success;
    out(`\n[turn ${record.turns}] > ${action}\nreward ${r.reward} (return ${record.return.toFixed(3)})`);
    if (r.observation) out(r.observation);
    if (r.done || record.turns >= maxTurns) {
      record.end = r.done ? 'done' : 'max_turns';
      break;
    }
  }
  lines.close();
  // stdin ended before the episode did: recorded as 'length', the end the rollout gives a spent budget
  out(JSON.stringify(record));
  return 0;
}
