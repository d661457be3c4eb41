// The environment registry: one table from name to environment kind, the same pattern as the reward
// registry. The built-in environments are registered by builtins.ts; a module that brings its own
// environment registers itself the same way, so the registry never has to know it in advance.
//
//   registerEnv({ name: 'grid_world', create: (o) => new GridWorld(o), ... })
//   const env = envDef('grid_world').create({ size: 5 })   // UnknownEnvError for a name not registered
import type { EnvDef } from './types.ts';

export class UnknownEnvError extends Error {
  readonly name = 'UnknownEnvError';
  constructor(env: string) {
    super(`no environment "${env}"; registered: ${envNames().join(', ') || '(none)'}`);
  }
}

/** An environment's options were refused by its `create`; the message names the option and what it accepts. */
export class EnvOptionsError extends Error {
  readonly name = 'EnvOptionsError';
  constructor(env: string, message: string) {
    super(`${env} environment: ${message}`);
  }
}

const REGISTRY = new Map<string, EnvDef>();

/**
 * Adds (or replaces) an environment; the last registration of a name wins. Names are lower-case words
 * joined by underscores (they appear in metric names such as eval_env/grid_world/success_rate); "all" is
 * the evaluation aggregate's.
 */
export function registerEnv(def: EnvDef): void {
  if (!/^[a-z][a-z0-9_]*$/.test(def.name) || def.name === 'all')
    throw new Error(`environment name "${def.name}": use lower-case letters, digits and _ (and not "all")`);
  REGISTRY.set(def.name, def);
}

export function envDef(name: string): EnvDef {
  const d = REGISTRY.get(name);
  if (!d) throw new UnknownEnvError(name);
  return d;
}

export function envNames(): string[] {
  return [...REGISTRY.keys()].sort();
}

export function envDefs(): EnvDef[] {
  return envNames().map((n) => REGISTRY.get(n)!);
}
