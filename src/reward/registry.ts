// The reward registry: one table from name to reward function. Built-in rewards are registered by
// builtins.ts; a module that brings its own reward (the OCaml checker) registers itself the same way, so
// the registry never has to know it in advance.
//
//   registerReward({ name: 'math', fn: mathReward, description: '...' })
//   const r = await callReward('math', sample, { strict: true })   // RewardResult, never a bare number
import type { RewardFn, RewardResult, RewardSample } from './types.ts';

export interface RewardDef {
  name: string;
  fn: RewardFn;
  /** One line for the reward list in the app. */
  description: string;
  /** Default options shown in the app's editor. */
  defaults?: Record<string, unknown>;
}

export class UnknownRewardError extends Error {
  readonly name = 'UnknownRewardError';
  constructor(name: string) {
    super(`no reward function "${name}"; registered: ${rewardNames().join(', ') || '(none)'}`);
  }
}

export class RewardValueError extends Error {
  readonly name = 'RewardValueError';
}

const REGISTRY = new Map<string, RewardDef>();

/** Adds (or replaces) a reward; the last registration of a name wins. */
export function registerReward(def: RewardDef): void {
  REGISTRY.set(def.name, def);
}

export function rewardDef(name: string): RewardDef {
  const d = REGISTRY.get(name);
  if (!d) throw new UnknownRewardError(name);
  return d;
}

export function rewardNames(): string[] {
  return [...REGISTRY.keys()].sort();
}

export function rewardDefs(): RewardDef[] {
  return rewardNames().map((n) => REGISTRY.get(n)!);
}

/** Any reward's return value as a RewardResult; NaN or Infinity is a bug in the reward, not a score. */
export function toResult(r: RewardResult | number | null, name: string): RewardResult {
  const res = typeof r === 'number' || r === null ? { score: r } : r;
  if (typeof res !== 'object' || !('score' in res))
    throw new RewardValueError(
      `reward "${name}" returned ${JSON.stringify(r)}; return a number, null, or { score, details }`,
    );
  if (res.score !== null && (typeof res.score !== 'number' || !Number.isFinite(res.score))) {
    throw new RewardValueError(
      `reward "${name}" returned score ${String(res.score)}; scores must be finite numbers or null`,
    );
  }
  return res;
}

/** Runs one registered reward in this thread. */
export async function callReward(
  name: string,
  sample: RewardSample,
  options: Record<string, unknown>,
): Promise<RewardResult> {
  return toResult(await rewardDef(name).fn(sample, options), name);
}
