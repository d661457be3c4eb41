// crafting: a TextCraft-like workshop. The goal is one item; the first observation lists the crafting
// commands of its whole recipe tree mixed with a few unrelated ones, and the base items that can be got.
// The agent gets base items, crafts intermediates in batches, and wins when the goal item is in its
// inventory. Only recipes listed in the episode can be used.
//
// Rewards (all options, defaults in CRAFT_DEFAULTS):
//   subgoal_reward     the first time each intermediate of the goal's recipe tree is crafted
//   completion_reward  on the turn the goal item is crafted; the episode ends there
//   invalid_penalty    subtracted for a turn with no action the workshop understands
// Getting items, and actions that are understood but cannot be done, earn 0; so an episode's return is
// subgoal_reward x (distinct intermediates crafted) + completion_reward (if won) - invalid_penalty x (turns
// not understood).
import { Rng } from '../../engine/rng.ts';
import type { EnvDef, EnvStepResult, Environment } from '../types.ts';
import { readOptions } from '../options.ts';
import { CRAFTABLE, CraftOptions } from './options.ts';

export { CraftOptions };
import { quote } from '../text.ts';
import { parseCraftAction } from './parse.ts';
import { RECIPE, depth, isBase, recipeLine, treeOf, type Recipe } from './recipes.ts';
import { craft, getItems, inventoryText } from './rules.ts';

export const CRAFT_DEFAULTS: CraftOptions = CraftOptions.parse({});

const ACTIONS = 'get <n> <item>, craft <n> <item> using <ingredients>, inventory, look';

export const CRAFT_INSTRUCTIONS = `You are in a workshop. Your goal is to craft one item. You are given crafting commands (recipes) and the base items you can get. Each turn, reply with exactly one action:
- get <n> <item>: take n of a base item, for example: get 2 log.
- craft <n> <item> using <ingredients>: craft with a listed command, for example: craft 4 plank using 1 log. One command makes the number it names from the ingredients it names; asking for more crafts it several times, if your inventory holds enough.
- inventory: list what you have.
- look: show the goal and the crafting commands again.
Only the listed crafting commands work; some of them are not needed for the goal.`;

/** The episode's goal and the recipes shown: the goal's whole tree plus distractors, shuffled. */
export function drawTask(seed: number, o: CraftOptions): { target: string; recipes: Recipe[] } {
  const rng = new Rng(seed);
  const pool = o.targets.length
    ? o.targets
    : CRAFTABLE.filter((i) => depth(i) >= o.min_depth && depth(i) <= o.max_depth);
  const target = pool[rng.int(pool.length)];
  const tree = [target, ...treeOf(target)].filter((i) => !isBase(i));
  const others = CRAFTABLE.filter((i) => !tree.includes(i));
  const shown = [...tree];
  for (let k = 0; k < o.distractors && others.length; k++) shown.push(others.splice(rng.int(others.length), 1)[0]);
  for (let i = shown.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [shown[i], shown[j]] = [shown[j], shown[i]];
  }
  return { target, recipes: shown.map((i) => RECIPE.get(i)!) };
}

export class Crafting implements Environment {
  private task: { target: string; recipes: Recipe[] } | null = null;
  /** Item -> count held. */
  readonly inventory = new Map<string, number>();
  private rewarded = new Set<string>();
  private over = false;

  constructor(readonly options: CraftOptions) {}

  reset(seed: number): string {
    this.task = drawTask(seed, this.options);
    this.inventory.clear();
    this.rewarded.clear();
    this.over = false;
    return this.overview();
  }

  get target(): string {
    if (!this.task) throw new Error('crafting: call reset(seed) before step()');
    return this.task.target;
  }

  /** The goal, the crafting commands and the base items of this episode, as the first observation shows them. */
  overview(): string {
    const { recipes } = this.task!;
    const base = [...new Set(recipes.flatMap((x) => x.ingredients.map(([i]) => i)).filter(isBase))].sort();
    return [
      `Goal: craft 1 ${this.target}.`,
      'Crafting commands:',
      ...recipes.map(recipeLine),
      `Base items you can get: ${base.join(', ')}.`,
    ].join('\n');
  }

  step(text: string): EnvStepResult {
    const target = this.target,
      o = this.options;
    if (this.over) return { observation: '', reward: 0, done: true, success: true };
    const a = parseCraftAction(text);
    if (!a) {
      const observation = `I did not understand "${quote(text)}". Actions: ${ACTIONS}.`;
      return { observation, reward: -o.invalid_penalty, done: false, success: false };
    }
    if (a.kind === 'inventory') return this.reply(inventoryText(this.inventory));
    if (a.kind === 'look') return this.reply(this.overview());
    if (a.kind === 'get') return this.reply(getItems(this.inventory, a));
    const known = new Set(this.task!.recipes.map((x) => x.output));
    const out = craft(this.inventory, a, known);
    let reward = 0;
    if (out.crafted && out.crafted !== target && treeOf(target).has(out.crafted) && !this.rewarded.has(out.crafted)) {
      this.rewarded.add(out.crafted);
      reward += o.subgoal_reward;
    }
    if ((this.inventory.get(target) ?? 0) > 0) {
      this.over = true;
      return { observation: '', reward: reward + o.completion_reward, done: true, success: true };
    }
    return { observation: out.message, reward, done: false, success: false };
  }

  private reply(observation: string): EnvStepResult {
    return { observation, reward: 0, done: false, success: false };
  }
}

export const craftingEnv: EnvDef = {
  name: 'crafting',
  description: 'TextCraft-like workshop: get base items and craft up a recipe tree to the goal item.',
  instructions: CRAFT_INSTRUCTIONS,
  defaultMaxTurns: 30,
  defaults: CRAFT_DEFAULTS,
  create: (options) => new Crafting(readOptions('crafting', CraftOptions, options)),
};
