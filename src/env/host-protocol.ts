// Messages between WorkerEnvHost and the environment worker (host-serve.ts). Each environment the host
// creates is a `handle`; calls on one handle run one after another in the worker, in the order sent.
// The worker says `ready` once loaded (deadlines start then, so a slow start does not count against a step).
// Replies carry the id of the request they answer; replays (after a restart) use id -1 and get no reply
// that anyone waits for.
import type { EnvStepResult } from './types.ts';

export type EnvRequest =
  | {
      kind: 'open';
      id: number;
      handle: number;
      env: string;
      options: Record<string, unknown>;
      seed: number;
      maxObservationChars: number;
    }
  | { kind: 'step'; id: number; handle: number; action: string }
  | { kind: 'close'; handle: number };

export type EnvReply =
  | { kind: 'ready' } // sent once, when the worker has loaded its environments
  | { kind: 'opened'; id: number; observation: string }
  | { kind: 'stepped'; id: number; result: EnvStepResult }
  | { kind: 'failed'; id: number; error: { name: string; message: string } };
