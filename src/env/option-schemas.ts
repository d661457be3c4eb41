// The built-in environments' option schemas by name, without the environments themselves: the run config
// checks environment.envs[i].options against them (a misspelt option fails when the config is read, not
// when the run starts), and the app's Data tab makes its option fields from them (the same fields as a
// reward's options). An environment registered elsewhere has none here; its create() checks its options.
//
//   envOptionFields('grid_world')   // [{ key: 'size', type: 'integer', default: 5, minimum: 3, ... }, ...]
import type { z } from 'zod';
import { GridOptions } from './grid/options.ts';
import { CraftOptions } from './craft/options.ts';
import { fieldsOfSchema, type RewardOptionField } from '../reward/options.ts';

export const ENV_OPTIONS: Record<string, z.ZodType> = {
  grid_world: GridOptions,
  crafting: CraftOptions,
};

/** An environment's options as flat field descriptions (empty without a schema here). */
export function envOptionFields(name: string): RewardOptionField[] {
  const s = ENV_OPTIONS[name];
  return s ? fieldsOfSchema(s) : [];
}
