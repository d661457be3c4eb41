// `webgrpo reward serve`: a long-lived scorer. It reads one JSON request per line on stdin and writes one
// JSON reply per line on stdout, in the order of the requests, with the very reward code the app runs
// (every built-in reward, the OCaml checker included). The exported TRL project's rewards.py drives it,
// so a completion gets the same score in the browser and on a cluster.
//
//   {"id": 1, "reward": "math", "options": {"strict": true},
//    "samples": [{"completion": "... #### 18", "row": {"answer": "18"}}, ...]}
//   -> {"id": 1, "scores": [1, ...]}                      (+ "errors": [...] when a sample failed,
//                                                           + "details": [...] when the request asks "details": true)
//
// A sample may also carry prompt, completion_ids and finish_reason ("stop" or "length"). A sample whose
// reward throws scores null with its error; a malformed request gets {"id", "error"} and the server goes on.
// Rewards of one request run side by side (the OCaml checks on up to half the cores).
import readline from 'node:readline';
import '../reward/builtins.ts';
import { registerReward, rewardDef, callReward } from '../reward/registry.ts';
import { ocamlReward } from '../reward/ocaml/index.ts';
import { REWARD_OPTIONS } from '../reward/options.ts';
import { unknownOptionMessage } from '../engine/config-errors.ts';
import type { RewardSample } from '../reward/types.ts';

export class RequestError extends Error {
  readonly name = 'RequestError';
}

export interface ServeRequest {
  id?: unknown;
  reward: string;
  options?: Record<string, unknown>;
  /** {completion, prompt?, row?, completion_ids?, finish_reason?} each */
  samples: unknown[];
  details?: boolean;
}

registerReward({ name: 'ocaml', fn: ocamlReward, description: 'OCaml program graded by the real compiler' });

/** The request's options checked against the reward's schema, with the nearest name for a typo. */
function checkedOptions(reward: string, options: unknown): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new RequestError('"options" must be a JSON object');
  const schema = REWARD_OPTIONS[reward];
  const r = schema?.safeParse(options);
  if (r && !r.success) {
    const i = r.error.issues[0];
    if (i.code === 'unrecognized_keys')
      throw new RequestError(
        `unknown option "${i.keys[0]}" of the ${reward} reward; ${unknownOptionMessage(reward, i.keys[0])}`,
      );
    throw new RequestError(`option ${i.path.join('.')}: ${i.message}`);
  }
  return options as Record<string, unknown>;
}

function toSample(s: unknown, i: number): RewardSample {
  const o = s as Record<string, unknown>;
  if (!o || typeof o !== 'object' || typeof o.completion !== 'string')
    throw new RequestError(`samples[${i}] needs a string "completion"`);
  const finish = o.finish_reason ?? 'stop';
  if (finish !== 'stop' && finish !== 'length')
    throw new RequestError(`samples[${i}].finish_reason must be "stop" or "length"`);
  return {
    prompt: typeof o.prompt === 'string' ? o.prompt : '',
    completion: o.completion,
    completionIds: Array.isArray(o.completion_ids) ? (o.completion_ids as number[]) : [],
    row: o.row && typeof o.row === 'object' ? (o.row as Record<string, unknown>) : {},
    finishReason: finish,
  };
}

/** Scores one request; never throws for a sample's failure (that sample scores null with its error). */
export async function serveOne(line: string): Promise<Record<string, unknown>> {
  let id: unknown = null;
  try {
    const req = JSON.parse(line) as ServeRequest;
    id = req?.id ?? null;
    if (!req || typeof req.reward !== 'string') throw new RequestError('a request needs "reward" (a reward name)');
    rewardDef(req.reward); // UnknownRewardError names the registered ones
    const options = checkedOptions(req.reward, req.options);
    if (!Array.isArray(req.samples)) throw new RequestError('a request needs "samples": a list of {completion, row}');
    const samples = req.samples.map(toSample);
    const results = await Promise.all(
      samples.map((s) =>
        callReward(req.reward, s, options).then(
          (r) => ({ score: r.score, details: r.details, error: null as string | null }),
          (e: Error) => ({ score: null, details: undefined, error: `${e.name}: ${e.message}` }),
        ),
      ),
    );
    const out: Record<string, unknown> = { id, scores: results.map((r) => r.score) };
    if (results.some((r) => r.error)) out.errors = results.map((r) => r.error);
    if (req.details) out.details = results.map((r) => r.details ?? null);
    return out;
  } catch (e) {
    const err = e as Error;
    return { id, error: err instanceof SyntaxError ? `not JSON: ${err.message}` : `${err.name}: ${err.message}` };
  }
}

export async function run(argv: string[]): Promise<number> {
  if (argv.length) {
    process.stderr.write(
      'Usage: webgrpo reward serve < requests.jsonl   (one JSON request per line; see the README)\n',
    );
    return 2;
  }
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  // replies keep the order of the requests; a request starts while the previous one is still scoring
  let tail = Promise.resolve();
  for await (const line of rl) {
    if (!line.trim()) continue;
    const reply = serveOne(line);
    tail = tail.then(async () => {
      process.stdout.write(`${JSON.stringify(await reply)}\n`);
    });
  }
  await tail;
  return 0; // the command exits, which ends the OCaml checker's workers
}
