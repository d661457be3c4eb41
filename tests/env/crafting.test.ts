// crafting: option checks, an exact hand-played episode, tolerant parsing, and over many seeds that the
// text-only solver wins within the default turn limit, that seeds reproduce, that nothing a model writes
// makes a step throw, and that returns add up as the README documents.
import { describe, expect, it } from 'vitest';
import '../../src/env/builtins.ts';
import { envDef, envNames, EnvOptionsError } from '../../src/env/registry.ts';
import { Crafting } from '../../src/env/craft/index.ts';
import { parseCraftAction } from '../../src/env/craft/parse.ts';
import { craftingPlan } from '../../src/env/craft/solver.ts';
import { ALL_ITEMS, RECIPES, depth, isBase, treeOf } from '../../src/env/craft/recipes.ts';
import { Rng } from '../../src/engine/rng.ts';

const crafting = (o: Record<string, unknown> = {}) => envDef('crafting').create(o) as Crafting;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('crafting options and recipe book', () => {
  it('is registered and refuses bad options with typed errors', () => {
    expect(envNames()).toEqual(expect.arrayContaining(['crafting', 'grid_world']));
    expect(() => crafting({ depth: 2 })).toThrow(EnvOptionsError);
    expect(() => crafting({ min_depth: 3, max_depth: 2 })).toThrow(/min_depth: min_depth must not exceed max_depth/);
    expect(() => crafting({ targets: ['log'] })).toThrow(/targets\.0/); // a base item is no goal
    expect(() => crafting({ distractors: -1 })).toThrow(/crafting environment: distractors/);
  });

  it('has goals at every depth from 1 to 4, and every ingredient is an item of the book', () => {
    expect(new Set(RECIPES.map((r) => depth(r.output)))).toEqual(new Set([1, 2, 3, 4]));
    for (const r of RECIPES) for (const [i] of r.ingredients) expect(ALL_ITEMS).toContain(i);
    expect(depth('bookcase')).toBe(4); // shelf (nail <- iron bar <- ore) and book
    expect([...treeOf('hammer')].sort()).toEqual(['coal', 'dowel', 'iron bar', 'log', 'ore', 'plank']);
  });
});

describe('a crafting episode played by hand', () => {
  it('seed 5: a hammer, with mistakes on the way', () => {
    const env = crafting();
    expect(env.reset(5)).toBe(
      [
        'Goal: craft 1 hammer.',
        'Crafting commands:',
        'craft 1 iron bar using 2 ore, 1 coal',
        'craft 1 book using 4 paper, 1 leather, 1 glue',
        'craft 4 dowel using 1 plank',
        'craft 1 hammer using 1 iron bar, 1 dowel',
        'craft 2 ink using 1 coal, 1 resin',
        'craft 1 lantern using 2 glass, 1 iron bar, 1 candle',
        'craft 4 plank using 1 log',
        'Base items you can get: coal, log, ore, resin.',
      ].join('\n'),
    );
    const played: [string, number, string][] = [
      ['inventory', 0, 'Your inventory is empty.'],
      ['craft a hammer', 0, 'Could not craft 1 hammer: you need 1 iron bar (you have 0), 1 dowel (you have 0).'],
      ['get 3 planks', 0, 'plank cannot be got directly: craft it with a crafting command.'],
      ['get 3 bananas', 0, 'There is no item called "bananas".'],
      ['get 100 log', 0, 'You can get between 1 and 99 at a time, not 100.'],
      ['Get two logs!', 0, 'Got 2 log. You have 2 log.'],
      ['craft 8 planks', 0.1, 'Crafted 8 plank using 2 log. You have 8 plank.'], // two batches; plank is needed
      ['craft 4 plank using 1 log', 0, 'Could not craft 4 plank: you need 1 log (you have 0).'],
      [
        'bake a cake',
        -0.05,
        'I did not understand "bake a cake". Actions: get <n> <item>, craft <n> <item> using <ingredients>, inventory, look.',
      ],
      ['Craft 5 dowels using planks.', 0.1, 'Crafted 8 dowel using 2 plank. You have 8 dowel.'],
      ['craft 4 dowel', 0, 'Crafted 4 dowel using 1 plank. You have 12 dowel.'], // the sub-goal pays once
      ['craft a saw', 0, 'You know no crafting command for saw; use the listed ones.'],
      [
        'craft iron bar using ore and log',
        0,
        'Those are not the ingredients of iron bar; the command is: craft 1 iron bar using 2 ore, 1 coal.',
      ],
      ['craft a log', 0, 'log is a base item: get it with get <n> log.'],
      ['get 2 ore', 0, 'Got 2 ore. You have 2 ore.'],
      ['Action: get 1 coal', 0, 'Got 1 coal. You have 1 coal.'],
      ['craft 1 iron bar', 0.1, 'Crafted 1 iron bar using 2 ore, 1 coal. You have 1 iron bar.'],
      ['inventory', 0, 'Inventory: 12 dowel, 1 iron bar, 5 plank.'],
    ];
    const rewards: number[] = [];
    for (const [action, reward, observation] of played) {
      expect(env.step(action), action).toEqual({ observation, reward, done: false, success: false });
      rewards.push(reward);
    }
    const last = env.step('craft 1 hammer using 1 iron bar, 1 dowel');
    expect(last).toEqual({ observation: '', reward: 1, done: true, success: true });
    expect(sum(rewards) + last.reward).toBeCloseTo(3 * 0.1 - 0.05 + 1, 12); // plank, dowel, iron bar; one bad turn
    expect(env.step('look')).toEqual({ observation: '', reward: 0, done: true, success: true });
  });
});

describe('crafting action parsing', () => {
  it.each([
    ['get 2 log', { kind: 'get', n: 2, item: 'log', named: 'log' }],
    ['Gather some iron bars', { kind: 'get', n: null, item: 'iron bar', named: 'iron bar' }],
    ['fetch 3', { kind: 'get', n: 3, item: null, named: '' }],
    ['make 2 shelves', { kind: 'craft', n: 2, item: 'shelf', named: 'shelf', using: null }],
    [
      'craft 1 writing desk using 1 table, 1 lantern and 1 journal',
      { kind: 'craft', n: 1, item: 'writing desk', named: 'writing desk', using: ['table', 'lantern', 'journal'] },
    ],
    [
      'Craft 2 GLASSES with sand + coal.',
      { kind: 'craft', n: 2, item: 'glass', named: 'glass', using: ['sand', 'coal'] },
    ],
    ['craft a picnic basket', { kind: 'craft', n: 1, item: 'picnic basket', named: 'picnic basket', using: null }],
    ['check my inventory please', { kind: 'inventory' }],
    ['show the recipes', { kind: 'look' }],
  ])('%s', (text, action) => expect(parseCraftAction(text)).toEqual(action));

  it('reads nothing into prose without an action', () => {
    for (const t of ['', 'a plank', 'hello world', '4 4 4']) expect(parseCraftAction(t)).toBeNull();
  });
});

describe('crafting over many seeds', () => {
  const configs: [Record<string, unknown>, number][] = [
    [{}, 300],
    [{ min_depth: 4, max_depth: 4, distractors: 10 }, 60],
    [{ min_depth: 1, max_depth: 1, distractors: 0 }, 30],
  ];
  it.each(configs)('the text-only solver wins with the documented return: %j', (options, seeds) => {
    for (let seed = 0; seed < seeds; seed++) {
      const env = crafting({ ...options, subgoal_reward: 0.25, completion_reward: 3 });
      const plan = craftingPlan(env.reset(seed));
      expect(plan.length, `seed ${seed}`).toBeLessThanOrEqual(envDef('crafting').defaultMaxTurns);
      const rewards = plan.map((a) => env.step(a));
      expect(rewards.at(-1)).toMatchObject({ done: true, success: true });
      expect(rewards.slice(0, -1).every((r) => !r.done)).toBe(true);
      const intermediates = [...treeOf(env.target)].filter((i) => !isBase(i)).length;
      expect(sum(rewards.map((r) => r.reward))).toBeCloseTo(0.25 * intermediates + 3, 10);
    }
  });

  it('the same seed gives the same episode; different seeds give different ones', () => {
    expect(crafting().reset(17)).toBe(crafting().reset(17));
    const firsts = new Set(Array.from({ length: 30 }, (_, s) => crafting().reset(s)));
    expect(firsts.size).toBeGreaterThan(25);
    expect(crafting({ targets: ['boat'] }).reset(3)).toMatch(/^Goal: craft 1 boat\./);
  });

  it('random and hostile turns never throw; each reward is one the README lists', () => {
    const junk = [
      '',
      '\u0000\u{1F600}',
      'y'.repeat(10_000),
      'craft',
      'get',
      'craft 0 plank',
      'get -5 log',
      'get 1e9 ore',
    ];
    const rng = new Rng(7);
    for (let seed = 0; seed < 30; seed++) {
      const env = crafting({ subgoal_reward: 0.1, invalid_penalty: 0.5, completion_reward: 10 });
      env.reset(seed);
      for (let t = 0; t < 150; t++) {
        const item = ALL_ITEMS[rng.int(ALL_ITEMS.length)],
          n = 1 + rng.int(12);
        const pool = [`get ${n} ${item}`, `craft ${n} ${item}`, 'inventory', junk[rng.int(junk.length)]];
        const r = env.step(pool[rng.int(pool.length)]);
        expect(typeof r.observation).toBe('string');
        expect(
          [-0.5, 0, 0.1, 10, 10.1].some((v) => Math.abs(r.reward - v) < 1e-9),
          `${r.reward}`,
        ).toBe(true);
        if (r.done) break;
      }
    }
  });
});
