// Registers the built-in environments. Import this module once wherever episodes run (the training
// worker, tests, the CLI); a module bringing its own environment calls registerEnv the same way.
import { registerEnv } from './registry.ts';
import type { EnvDef } from './types.ts';
import { gridWorldEnv } from './grid/index.ts';
import { craftingEnv } from './craft/index.ts';

export const BUILTIN_ENVS: EnvDef[] = [gridWorldEnv, craftingEnv];

for (const def of BUILTIN_ENVS) registerEnv(def);
