// The environment section of the run config: environments replace the dataset's rewards, and the
// combinations an environment run cannot honour are refused with a message that says what to do.
import { describe, it, expect } from 'vitest';
import { ConfigError, parseRunConfig } from '../../src/engine/config.ts';

const envs = { envs: [{ name: 'grid_world' }] };
const problems = (input: unknown): string[] => {
  try {
    parseRunConfig(input);
    return [];
  } catch (e) {
    return (e as ConfigError).problems;
  }
};

describe('config: environment', () => {
  it('defaults to no environment (a dataset run) with every field described', () => {
    const c = parseRunConfig({});
    expect(c.environment).toEqual({
      envs: [],
      max_turns: 0,
      max_turn_tokens: 64,
      step_timeout_ms: 10_000,
      max_observation_chars: 8_000,
      eval_episodes: 16,
    });
    expect(c.rewards.map((r) => r.name)).toEqual(['math']);
  });

  it('an environment run has no rewards unless given, and takes weights and options', () => {
    const c = parseRunConfig({
      environment: { envs: [{ name: 'grid_world', weight: 2, options: { size: 4 } }, { name: 'crafting' }] },
    });
    expect(c.rewards).toEqual([]);
    expect(c.environment.envs).toEqual([
      { name: 'grid_world', weight: 2, options: { size: 4 } },
      { name: 'crafting', weight: 1, options: {} },
    ]);
  });

  it("checks a built-in environment's options when the config is read, each problem at its path", () => {
    const p = problems({
      environment: {
        envs: [
          { name: 'grid_world', options: { size: 9, colour: 'red' } },
          { name: 'crafting', options: { min_depth: 4, max_depth: 2 } },
          { name: 'registered_elsewhere', options: { anything: 1 } },
        ],
      },
    });
    expect(p).toEqual([
      expect.stringMatching(/^environment\.envs\.0\.options\.size: .*<=8/),
      expect.stringMatching(/^environment\.envs\.0\.options\.colour: not an option of grid_world/),
      expect.stringMatching(/^environment\.envs\.1\.options\.min_depth: min_depth must not exceed max_depth/),
    ]);
    expect(() =>
      parseRunConfig({ environment: { envs: [{ name: 'grid_world', options: { rooms: 1, missions: ['go_to'] } }] } }),
    ).not.toThrow();
  });

  it('refuses a dataset reward beside environments, and says how to fix it', () => {
    const p = problems({ environment: envs, rewards: [{ name: 'math' }] });
    expect(p.join('\n')).toMatch(/rewards: a run uses either a dataset with rewards or environments/);
  });

  it('refuses what an environment run cannot do', () => {
    expect(problems({ environment: envs, run: { mode: 'sft' } }).join()).toMatch(/mode sft .* never plays an episode/);
    expect(problems({ environment: envs, grpo: { advantage_estimator: 'vineppo' } }).join()).toMatch(/vineppo/);
    expect(problems({ environment: envs, grpo: { dynamic_sampling: true } }).join()).toMatch(/dynamic sampling/);
    expect(
      problems({ environment: { ...envs, max_turn_tokens: 300 }, sampling: { max_completion_length: 256 } }).join(),
    ).toMatch(/max_turn_tokens \(300\) is above sampling.max_completion_length \(256\)/);
    expect(problems({ environment: { envs: [{ name: 'a' }, { name: 'a' }] } }).join()).toMatch(/a is listed twice/);
    expect(problems({ environment: { envs: [{ name: 'a', weight: 0 }] } })).not.toEqual([]);
  });

  it('accepts sft_then_grpo (SFT on the dataset, RL on the environments) and ppo', () => {
    const c = parseRunConfig({
      environment: envs,
      run: { mode: 'sft_then_grpo', sft_steps: 3 },
      grpo: { advantage_estimator: 'ppo' },
    });
    expect(c.run.mode).toBe('sft_then_grpo');
  });
});
