// grid_world: the registry, option checks, exact hand-played episodes, tolerant parsing, and over many seeds
// that the scripted solver wins within the default turn limit, that seeds reproduce, that nothing a model
// writes makes a step throw, and that returns add up as the README documents.
import { describe, expect, it } from 'vitest';
import '../../src/env/builtins.ts';
import { envDef, envNames, EnvOptionsError, UnknownEnvError } from '../../src/env/registry.ts';
import { GridWorld } from '../../src/env/grid/index.ts';
import { parseGridAction } from '../../src/env/grid/parse.ts';
import { gridSolverAction } from '../../src/env/grid/solver.ts';
import { distance, currentTarget } from '../../src/env/grid/world.ts';
import { Rng } from '../../src/engine/rng.ts';

const grid = (o: Record<string, unknown> = {}) => envDef('grid_world').create(o) as GridWorld;

function solve(env: GridWorld, limit: number) {
  const rewards: number[] = [];
  for (let t = 0; t < limit; t++) {
    const r = env.step(gridSolverAction(env.world));
    rewards.push(r.reward);
    if (r.done) return { rewards, success: r.success };
  }
  return { rewards, success: false };
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('environment registry', () => {
  it('lists grid_world and refuses unknown names and bad options with typed errors', () => {
    expect(envNames()).toContain('grid_world');
    expect(() => envDef('nope')).toThrow(UnknownEnvError);
    expect(() => envDef('nope')).toThrow(/registered: .*grid_world/);
    expect(() => grid({ sise: 4 })).toThrow(EnvOptionsError);
    expect(() => grid({ size: 2 })).toThrow(/size:/);
    expect(() => grid({ size: 3, objects: 4 })).toThrow(/objects: too many objects/);
    expect(() => grid({ rooms: 1, missions: ['open'] })).toThrow(/missions: the open mission needs a door/);
    expect(() => grid({ missions: ['fly'] })).toThrow(EnvOptionsError);
    expect(envDef('grid_world').defaults).toMatchObject({ size: 5, rooms: 2, completion_reward: 1 });
  });
});

describe('grid_world episodes played by hand', () => {
  it('one room, go to the red key: two steps west', () => {
    const env = grid({ rooms: 1, size: 4, objects: 2, missions: ['go_to'] });
    expect(env.reset(1)).toBe(
      [
        'Your goal: go to the red key.',
        'You are in the room. You carry nothing.',
        'You see:',
        '- the red key: 3 west',
        '- the yellow box: 3 north and 3 west',
        'Open ground: north 3, south 0, west 3, east 0.',
      ].join('\n'),
    );
    expect(env.step('go south')).toEqual({
      observation: [
        'A wall blocks the way south; you stay where you are.',
        'You are in the room. You carry nothing.',
        'You see:',
        '- the red key: 3 west',
        '- the yellow box: 3 north and 3 west',
        'Open ground: north 3, south 0, west 3, east 0.',
      ].join('\n'),
      reward: 0,
      done: false,
      success: false,
    });
    const r1 = env.step('I will go west.');
    expect(r1.reward).toBe(0.05); // 2 squares from reach, now 1
    expect(r1.observation.split('\n')[0]).toBe('You go west.');
    expect(env.step('WEST')).toEqual({ observation: '', reward: 0.05 + 1, done: true, success: true });
    expect(env.step('go west')).toEqual({ observation: '', reward: 0, done: true, success: true });
  });

  it('two rooms, open the locked purple door: key, detours, garbage, then the door', () => {
    const env = grid();
    const first = env.reset(3);
    expect(first).toBe(
      [
        'Your goal: open the purple door.',
        'You are in the west room. You carry nothing.',
        'You see:',
        '- the purple key: 1 south',
        '- the blue ball: 1 north and 2 east',
        '- the purple box: 2 north and 2 west',
        '- the purple door (closed, locked): 1 south and 3 east',
        'Open ground: north 2, south 2, west 2, east 2.',
      ].join('\n'),
    );
    // the red ball lies in the east room, behind the wall: not seen
    expect(first).not.toContain('red ball');
    const played = [
      ['open the door', 0, 'The purple door is not within reach (1 south and 3 east); go next to it first.'],
      ['Pick up the PURPLE key!', 0.2, 'You pick up the purple key.'], // sub-goal: the key of a door in the way
      [
        'dance',
        -0.05,
        'I did not understand "dance". Actions: go north|south|east|west, pick up <color> <object>, drop, open door, look.',
      ],
      ['go north', 0, 'You go north.'], // farther from the door: nothing
      ['go south', 0, 'You go south.'], // back to 3 squares: no new record, nothing
      ['go south', 0.05, 'You go south.'], // 2
      ['move right', 0.05, 'You go east.'], // 1
      ['East.', 0.05, 'You go east.'], // 0: the door is within reach
    ] as const;
    for (const [action, reward, line] of played) {
      const r = env.step(action);
      expect(r.reward, action).toBeCloseTo(reward, 12);
      expect(r.observation.split('\n')[0], action).toBe(line);
      expect(r.done).toBe(false);
    }
    expect(env.step('open door')).toEqual({ observation: '', reward: 1, done: true, success: true });
  });

  it('a locked door refuses without its key and walls stop the agent', () => {
    const env = grid();
    env.reset(3);
    for (const a of ['go south', 'go east', 'go east']) env.step(a); // next to the door, key left behind
    const r = env.step('open the purple door');
    expect(r.observation.split('\n')[0]).toBe('The purple door is locked; bring the purple key.');
    expect(r.reward).toBe(0);
    expect(env.step('go east').observation.split('\n')[0]).toBe('The purple door is closed; open it first.');
    expect(env.step('open red door').observation.split('\n')[0]).toBe('There is no red door; the door is purple.');
    expect(env.step('drop').observation.split('\n')[0]).toBe('You carry nothing to drop.');
    expect(env.step('pick up the box').observation.split('\n')[0]).toBe(
      'The purple box is not within reach (3 north and 4 west); go next to it first.',
    );
  });
});

describe('grid_world action parsing', () => {
  it.each([
    ['go north', { kind: 'go', dir: 'north' }],
    ['Move UP.', { kind: 'go', dir: 'north' }],
    ['walk left', { kind: 'go', dir: 'west' }],
    ['south', { kind: 'go', dir: 'south' }],
    ['I think the key is close. Action: go east', { kind: 'go', dir: 'east' }],
    ['pick it up', { kind: 'pick_up' }],
    ['Pick up the gray boxes', { kind: 'pick_up', color: 'grey', object: 'box' }],
    ['grab red ball', { kind: 'pick_up', color: 'red', object: 'ball' }],
    ['go pick up the key', { kind: 'pick_up', object: 'key' }],
    ['Unlock the blue door.', { kind: 'open', color: 'blue' }],
    ['drop it', { kind: 'drop' }],
    ['look around', { kind: 'look' }],
  ])('%s', (text, action) => expect(parseGridAction(text)).toEqual(action));

  it('reads nothing into prose without an action', () => {
    for (const t of ['', 'go to the green ball', 'hello', '???', 'up'.repeat(3)]) expect(parseGridAction(t)).toBeNull();
  });
});

describe('grid_world over many seeds', () => {
  const configs: [Record<string, unknown>, number][] = [
    [{}, 300],
    [{ size: 8, objects: 8 }, 60],
    [{ size: 3, objects: 3, locked_chance: 1 }, 60],
    [{ rooms: 1 }, 60],
  ];
  it.each(configs)('the solver wins every episode within the turn limit: %j', (options, seeds) => {
    const limit = (options.size as number) > 5 ? 40 : envDef('grid_world').defaultMaxTurns;
    for (let seed = 0; seed < seeds; seed++) {
      const env = grid(options);
      env.reset(seed);
      const { success, rewards } = solve(env, limit);
      expect(success, `seed ${seed}`).toBe(true);
      expect(rewards.every((r) => r >= 0)).toBe(true); // the solver never wastes a turn on garbage
    }
  });

  it('in one room the solver returns progress_reward x starting distance + completion_reward', () => {
    for (let seed = 0; seed < 100; seed++) {
      const env = grid({ rooms: 1, missions: ['go_to', 'pick_up'], progress_reward: 0.1, completion_reward: 2 });
      env.reset(seed);
      const d0 = distance(env.world, currentTarget(env.world).pos);
      expect(sum(solve(env, 30).rewards)).toBeCloseTo(0.1 * d0 + 2, 10);
    }
  });

  it('the same seed gives the same episode; different seeds give different worlds', () => {
    const transcript = (seed: number) => {
      const env = grid();
      const out = [env.reset(seed)];
      for (let t = 0; t < 30; t++) {
        const r = env.step(gridSolverAction(env.world));
        out.push(JSON.stringify(r));
        if (r.done) break;
      }
      return out.join('\n');
    };
    for (const seed of [0, 7, 123456]) expect(transcript(seed)).toBe(transcript(seed));
    const firsts = new Set(Array.from({ length: 30 }, (_, s) => grid().reset(s)));
    expect(firsts.size).toBeGreaterThan(25);
  });

  it('random and hostile turns never throw; each reward is one the README lists', () => {
    const junk = ['', '\u0000\u{1F600}', 'x'.repeat(10_000), 'go', 'pick up', 'open', 'drop', 'look', '42', 'NORTH!!!'];
    const verbs = ['go north', 'go south', 'go east', 'go west', 'pick up', 'drop', 'open door', 'look'];
    const rng = new Rng(99);
    for (let seed = 0; seed < 25; seed++) {
      const env = grid({ progress_reward: 0.01, subgoal_reward: 0.1, invalid_penalty: 0.5, completion_reward: 10 });
      env.reset(seed);
      let ret = 0;
      for (let t = 0; t < 120; t++) {
        const pool = rng.next() < 0.2 ? junk : verbs;
        const r = env.step(pool[rng.int(pool.length)]);
        ret += r.reward;
        expect(typeof r.observation).toBe('string');
        // -0.5 for garbage; otherwise 0.01 progress and/or 0.1 sub-goal, plus 10 on the winning turn
        const base = r.done ? r.reward - 10 : r.reward;
        expect(
          [-0.5, 0, 0.01, 0.1, 0.11].some((v) => Math.abs(base - v) < 1e-9),
          `${r.reward}`,
        ).toBe(true);
        if (r.done) break;
      }
      expect(Number.isFinite(ret)).toBe(true);
    }
  });
});
