// grid_world: a BabyAI-like text world. One or two rooms, a door that may be locked, keys, balls and boxes;
// the mission is to go to an object, pick one up, or open the door. Observations say what the agent sees
// as offsets in steps; the action language is in `GRID_INSTRUCTIONS`.
//
// Rewards (all options, defaults in GRID_DEFAULTS):
//   progress_reward    each move that brings the agent nearer its current target than it has ever been
//                      (the door's key while a locked door is in the way, then the door, then the goal);
//                      going back and forth earns nothing
//   subgoal_reward     once for picking up the key of a locked door that is in the way, once for opening
//                      a door that is in the way (not when opening it is the mission itself)
//   completion_reward  on the turn the mission is done; the episode ends there
//   invalid_penalty    subtracted for a turn with no action the world understands
// An action that is understood but cannot be done (a wall, a locked door) earns 0.
import type { EnvDef, EnvStepResult, Environment } from '../types.ts';
import { readOptions } from '../options.ts';
import { GridOptions } from './options.ts';

export { GridOptions };
import { quote } from '../text.ts';
import { describe, missionText } from './describe.ts';
import { parseGridAction } from './parse.ts';
import { applyAction } from './rules.ts';
import { currentTarget, distance, doorKey, generate, succeeded, type World } from './world.ts';

export const GRID_DEFAULTS = GridOptions.parse({}) as GridOptions; // rooms is 1 or 2 by the schema's range

const ACTIONS = 'go north|south|east|west, pick up <color> <object>, drop, open door, look';

export const GRID_INSTRUCTIONS = `You are an agent in a grid world: one or two rooms, the two joined by a door in the wall between them. Objects (keys, balls, boxes) have colours. Each turn, reply with exactly one action:
- go north, go south, go east or go west: move one square (north is up).
- pick up <color> <object>: take an object within reach (on your square or next to it). You carry one thing at a time.
- drop: put down what you carry.
- open door: open the door when it is next to you. A locked door opens only while you carry the key of its colour.
- look: describe what you see again.
Positions are given in squares from you, such as "2 north and 1 east". Do the goal in as few turns as you can.`;

export class GridWorld implements Environment {
  private w: World | null = null;
  private best = new Map<string, number>();
  private rewarded = new Set<string>();
  private over = false;

  constructor(readonly options: GridOptions) {}

  reset(seed: number): string {
    this.w = generate(seed, this.options);
    this.best.clear();
    this.rewarded.clear();
    this.over = false;
    this.progress();
    return `Your goal: ${missionText(this.w)}.\n${describe(this.w)}`;
  }

  /** The world as it stands (for solvers, tests and displays; changing it changes the episode). */
  get world(): World {
    if (!this.w) throw new Error('grid_world: call reset(seed) before step()');
    return this.w;
  }

  step(text: string): EnvStepResult {
    const w = this.world,
      o = this.options;
    if (this.over) return { observation: '', reward: 0, done: true, success: succeeded(w) };
    const action = parseGridAction(text);
    if (!action) {
      const observation = `I did not understand "${quote(text)}". Actions: ${ACTIONS}.\n${describe(w)}`;
      return { observation, reward: -o.invalid_penalty, done: false, success: false };
    }
    const target = currentTarget(w).id;
    const doorInWay = target !== 'goal' && w.mission.kind !== 'open';
    const out = applyAction(w, action);
    let reward = 0;
    if (out.picked !== undefined && out.picked === doorKey(w) && target === 'key') reward += this.once('key');
    if (out.opened && doorInWay) reward += this.once('door');
    reward += this.progress();
    const success = succeeded(w);
    if (success) {
      this.over = true;
      return { observation: '', reward: reward + o.completion_reward, done: true, success };
    }
    return { observation: `${out.message}\n${describe(w)}`, reward, done: false, success };
  }

  private once(what: string): number {
    if (this.rewarded.has(what)) return 0;
    this.rewarded.add(what);
    return this.options.subgoal_reward;
  }

  /** progress_reward when the agent is nearer its current target than ever before; records the distance. */
  private progress(): number {
    const t = currentTarget(this.world),
      d = distance(this.world, t.pos),
      prev = this.best.get(t.id);
    if (prev !== undefined && d >= prev) return 0;
    this.best.set(t.id, d);
    return prev === undefined ? 0 : this.options.progress_reward;
  }
}

export const gridWorldEnv: EnvDef = {
  name: 'grid_world',
  description: 'BabyAI-like rooms, doors and keys: go to, pick up or open what the goal names.',
  instructions: GRID_INSTRUCTIONS,
  defaultMaxTurns: 30,
  defaults: GRID_DEFAULTS,
  create: (options) => new GridWorld(readOptions('grid_world', GridOptions, options) as GridOptions),
};
