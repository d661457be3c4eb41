// The inputs of an environment run (config.environment.envs): the registered environments (each one's
// options checked by creating it once, so a bad option fails at start, not mid-run) and the chat turns.
// Training draws no dataset rows in an environment-only run; in mode sft_then_grpo the dataset feeds SFT.
//
//   const envs = envRunDeps(config, tokenizer, WorkerEnvHost.create)   // UnknownEnvError, EnvOptionsError at once
import type { RunConfig } from '../engine/config.ts';
import { envLimits, type EnvRunDeps } from '../engine/env-rollout.ts';
import type { EnvHost, EnvLimits } from '../env/host.ts';
import type { ExampleStream } from '../engine/rollout.ts';
import type { EnvDef } from '../env/types.ts';
import '../env/builtins.ts';
import { envDef } from '../env/registry.ts';
import { chatTurns, type ChatTokenizer } from './env-chat.ts';

export class NoDatasetError extends Error {
  readonly name = 'NoDatasetError';
}

/** Makes the host environments run in (the app: WorkerEnvHost.create); unset: in this thread. */
export type EnvHostFactory = (limits: EnvLimits) => EnvHost;

export function envRunDeps(config: RunConfig, tok: ChatTokenizer, makeHost?: EnvHostFactory): EnvRunDeps {
  const defs: Record<string, EnvDef> = {};
  for (const s of config.environment.envs) {
    const def = envDef(s.name);
    def.create({ ...def.defaults, ...s.options });
    defs[s.name] = def;
  }
  const chat = chatTurns(tok, config.data.chat_template_kwargs);
  return { defs, chat, ...(makeHost ? { host: makeHost(envLimits(config)) } : {}) };
}

/** The training stream of a run without a dataset: asking it for a row is a bug, said plainly. */
export function noDataStream(): ExampleStream {
  return {
    next() {
      throw new NoDatasetError(
        'this run trains on environments and reads no dataset rows; this is a bug in the caller',
      );
    },
    state: () => null,
    restore: () => undefined,
  };
}
