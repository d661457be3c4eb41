// `webgrpo env`: an episode played from piped actions, the listing, and typed errors for a wrong name or
// option.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const bin = path.resolve(__dirname, '../../bin/webgrpo.mjs');
const webgrpo = (args: string[], input = '') =>
  spawnSync(process.execPath, [bin, 'env', ...args], { input, encoding: 'utf8' });

describe('webgrpo env', () => {
  it('plays a crafting episode from stdin and ends with the episode record', () => {
    const actions = [
      'get 2 ore',
      'get 1 coal',
      'craft 1 iron bar',
      'get 1 log',
      'nonsense',
      'craft 4 plank',
      'craft 4 dowel',
      'craft 1 hammer',
      'inventory',
    ];
    const r = webgrpo(['crafting', '--seed', '5'], actions.join('\n') + '\n');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Goal: craft 1 hammer.');
    expect(r.stdout).toContain('[turn 3] > craft 1 iron bar\nreward 0.1 (return 0.100)\nCrafted 1 iron bar');
    const record = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(record).toMatchObject({ env: 'crafting', seed: 5, success: true, turns: 8, end: 'done' });
    expect(record.rewards).toEqual([0, 0, 0.1, 0, -0.05, 0.1, 0.1, 1]);
    expect(record.return).toBeCloseTo(1.25, 12);
  });

  it('stops at the turn limit, and records an episode stdin left unfinished', () => {
    const r = webgrpo(['grid_world', '--seed', '3', '--max-turns', '2'], 'look\nlook\nlook\n');
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      turns: 2,
      end: 'max_turns',
      success: false,
    });
    const cut = webgrpo(['grid_world', '--seed', '3'], 'look\n');
    expect(JSON.parse(cut.stdout.trim().split('\n').at(-1)!)).toMatchObject({ turns: 1, end: 'length' });
  });

  it('lists the environments and refuses a wrong name or option with its typed error', () => {
    expect(webgrpo(['--list']).stdout).toMatch(/^crafting: .*\n  defaults \{"min_depth":1/m);
    const unknown = webgrpo(['gridworld']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/UnknownEnvError: no environment "gridworld"; registered: crafting, grid_world/);
    const bad = webgrpo(['grid_world', '--option', 'size=99']);
    expect(bad.stderr).toMatch(/EnvOptionsError: grid_world environment: size:/);
    expect(webgrpo(['grid_world', '--seed=-1']).stderr).toMatch(/--seed -1: give an integer/);
  });
});
