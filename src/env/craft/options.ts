// crafting's options as a strict zod schema: what create() reads (with readOptions), what the config
// checks a run's environment.envs[i].options against, and what the Data tab's option fields are made from.
import { z } from 'zod';
import { RECIPES } from './recipes.ts';

export const CRAFTABLE = RECIPES.map((x) => x.output);

export const CraftOptions = z
  .strictObject({
    min_depth: z.number().int().min(1).max(4).default(1).describe('shortest chain of crafts for a goal'),
    max_depth: z.number().int().min(1).max(4).default(3).describe('longest chain of crafts for a goal'),
    targets: z
      .array(z.enum(CRAFTABLE as [string, ...string[]]))
      .default([])
      .describe('goal items to draw from; empty: any within the depths'),
    distractors: z.number().int().min(0).max(10).default(3).describe('unrelated recipes listed too'),
    subgoal_reward: z
      .number()
      .min(0)
      .max(1)
      .default(0.1)
      .describe('reward the first time each intermediate of the goal is crafted'),
    completion_reward: z.number().min(0).max(100).default(1).describe('reward on the turn the goal item is crafted'),
    invalid_penalty: z
      .number()
      .min(0)
      .max(1)
      .default(0.05)
      .describe('subtracted for a turn with no action the workshop understands'),
  })
  .refine((o) => o.min_depth <= o.max_depth, { message: 'min_depth must not exceed max_depth', path: ['min_depth'] });
export type CraftOptions = z.output<typeof CraftOptions>;
