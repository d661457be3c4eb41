// grid_world's options as a strict zod schema: what create() reads (with readOptions), what the config
// checks a run's environment.envs[i].options against, and what the Data tab's option fields are made from.
import { z } from 'zod';

export const GridOptions = z
  .strictObject({
    size: z.number().int().min(3).max(8).default(5).describe('squares along each side of a room'),
    rooms: z.number().int().min(1).max(2).default(2).describe('one room, or two joined by a door'),
    objects: z.number().int().min(1).max(8).default(4).describe('objects in the world, the door key included'),
    locked_chance: z.number().min(0).max(1).default(0.5).describe('chance that the door is locked'),
    missions: z
      .array(z.enum(['go_to', 'pick_up', 'open']))
      .min(1)
      .default(['go_to', 'pick_up', 'open'])
      .describe('mission kinds drawn from'),
    progress_reward: z
      .number()
      .min(0)
      .max(1)
      .default(0.05)
      .describe('reward for each move that brings the agent nearer its current target than ever before'),
    subgoal_reward: z
      .number()
      .min(0)
      .max(1)
      .default(0.2)
      .describe('reward, once each, for taking the key of a locked door in the way and for opening that door'),
    completion_reward: z.number().min(0).max(100).default(1).describe('reward on the turn the mission is done'),
    invalid_penalty: z
      .number()
      .min(0)
      .max(1)
      .default(0.05)
      .describe('subtracted for a turn with no action the world understands'),
  })
  .refine((o) => o.objects <= o.size * o.size - 6, {
    message: 'too many objects for the room size: at most size * size - 6 (3 objects for size 3)',
    path: ['objects'],
  })
  .refine((o) => o.rooms === 2 || o.missions.some((m) => m !== 'open'), {
    message: 'the open mission needs a door: use rooms: 2 or add go_to or pick_up',
    path: ['missions'],
  });
export type GridOptions = Omit<z.output<typeof GridOptions>, 'rooms'> & { rooms: 1 | 2 };
