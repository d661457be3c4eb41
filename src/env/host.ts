// Where environments run, and the limits every environment call is held to. The rollout never calls an
// environment directly: it asks an EnvHost for one (`host.create(name, options)`), and every `reset` and
// `step` of what it gets back is bounded by a deadline and its answer is checked and capped.
//
//   const host = new LocalEnvHost(defs, { stepTimeoutMs: 10_000, maxObservationChars: 8_000 })
//   const env = host.create('grid_world', options)   // EnvOptionsError at once for a bad option
//   await env.reset(7); await env.step('go north')    // EnvTimeoutError past the deadline, EnvReplyError for a bad answer
//
// Two hosts: WorkerEnvHost (host-worker.ts; the app: environments in their own worker, terminated when a
// call overstays, so even a synchronous endless loop is cut off) and LocalEnvHost (Node tests: in this
// thread; the deadline abandons a slow or never-settling async call but cannot stop a synchronous loop).
import { withDeadline } from '../engine/deadline.ts';
import type { EnvDef, EnvStepResult, Environment } from './types.ts';

export interface EnvLimits {
  /** Deadline of one reset or step, in milliseconds. */
  stepTimeoutMs: number;
  /** Longest observation kept; a longer one is cut, with a note saying so. */
  maxObservationChars: number;
}

export const DEFAULT_ENV_LIMITS: EnvLimits = { stepTimeoutMs: 10_000, maxObservationChars: 8_000 };

export interface EnvHost {
  /** A fresh environment of a registered kind; throws the environment's own error for bad options. */
  create(name: string, options: Record<string, unknown>): Environment;
  dispose(): void;
}

/** A reset or step did not answer within the deadline: the episode ends as a failure, the run goes on. */
export class EnvTimeoutError extends Error {
  readonly name = 'EnvTimeoutError';
  constructor(env: string, call: 'reset' | 'step', ms: number) {
    super(
      `environment ${env}: ${call} did not answer within ${ms} ms (environment.step_timeout_ms); the episode ends as a failure. Make the environment faster or raise step_timeout_ms`,
    );
  }
}

/** An environment answered something that is not an observation or a step result. */
export class EnvReplyError extends Error {
  readonly name = 'EnvReplyError';
  constructor(env: string, message: string) {
    super(`environment ${env}: ${message}`);
  }
}

/** Cuts an observation to `max` characters, saying so at the end (the note counts within the cap). */
export function capObservation(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = ` [... cut: the environment answered ${text.length} characters, above environment.max_observation_chars ${max}]`;
  return text.slice(0, Math.max(0, max - note.length)) + note.slice(0, max);
}

/** Checks what reset returned; an observation that is not text is the environment's bug, said plainly. */
export function checkObservation(env: string, v: unknown, max: number): string {
  if (typeof v !== 'string')
    throw new EnvReplyError(env, `reset returned ${typeName(v)}, not the first observation as text`);
  return capObservation(v, max);
}

/** Checks what step returned: `{ observation: string, reward: number, done: boolean, success: boolean }`. */
export function checkStepResult(env: string, v: unknown, max: number): EnvStepResult {
  if (!v || typeof v !== 'object')
    throw new EnvReplyError(env, `step returned ${typeName(v)}, not { observation, reward, done, success }`);
  const r = v as Record<string, unknown>;
  if (typeof r.observation !== 'string')
    throw new EnvReplyError(env, `step's observation is ${typeName(r.observation)}, not text`);
  return {
    observation: capObservation(r.observation, max),
    reward: typeof r.reward === 'number' && Number.isFinite(r.reward) ? r.reward : 0,
    done: r.done === true,
    success: r.success === true,
  };
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/** Environments in this thread, each call under the deadline and the cap. */
export class LocalEnvHost implements EnvHost {
  constructor(
    private readonly defs: Record<string, EnvDef>,
    private readonly limits: EnvLimits = DEFAULT_ENV_LIMITS,
  ) {}

  create(name: string, options: Record<string, unknown>): Environment {
    const env = this.defs[name].create(options);
    const { stepTimeoutMs: ms, maxObservationChars: max } = this.limits;
    return {
      reset: (seed) =>
        withDeadline(
          Promise.resolve().then(() => env.reset(seed)),
          ms,
          () => new EnvTimeoutError(name, 'reset', ms),
        ).then((o) => checkObservation(name, o, max)),
      step: (action) =>
        withDeadline(
          Promise.resolve().then(() => env.step(action)),
          ms,
          () => new EnvTimeoutError(name, 'step', ms),
        ).then((r) => checkStepResult(name, r, max)),
      close: () => env.close?.(),
    };
  }

  dispose(): void {}
}
