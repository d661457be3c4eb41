import { describe, it, expect } from 'vitest';
import { parseRunConfig, defaultRunConfig, ConfigError } from '../../src/engine/config.ts';

describe('run config', () => {
  it('fills defaults', () => {
    const c = defaultRunConfig();
    expect(c.sampling.num_generations).toBe(8);
    expect(c.lora.target_modules).toHaveLength(7);
  });
  it('rejects invalid combinations with a fix', () => {
    expect(() => parseRunConfig({ grpo: { epsilon: 0.3, epsilon_high: 0.2 } })).toThrow(ConfigError);
    expect(() => parseRunConfig({ sampling: { num_generations: 1 } })).toThrow(/num_generations >= 2/);
  });
});

describe('strict config: unknown keys are refused with the nearest known name', () => {
  const problems = (input: unknown): string[] => {
    try {
      parseRunConfig(input);
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
    throw new Error('the config was accepted');
  };
  it('names the key and suggests the nearest one in its section', () => {
    expect(problems({ grpo: { betaa: 0.1 } })).toEqual(['grpo.betaa: unknown key; did you mean grpo.beta?']);
    expect(problems({ samplng: {} })[0]).toBe('samplng: unknown key; did you mean sampling?');
    expect(problems({ run: { max_step: 3 } })[0]).toMatch(/did you mean run\.max_steps\?/);
  });
  it('points at the right section when a known name is in the wrong one', () => {
    expect(problems({ grpo: { learning_rate: 1e-5 } })[0]).toMatch(/did you mean optim\.learning_rate\?/);
  });
  it('lists the known keys when nothing is close', () => {
    expect(problems({ lora: { zzzzzzzz: 1 } })[0]).toMatch(/known keys: r, alpha, dropout/);
  });
  it('checks each reward option against that reward and suggests', () => {
    expect(problems({ rewards: [{ name: 'math', options: { strcit: true } }] })[0]).toBe(
      'rewards.0.options.strcit: unknown option of the math reward; did you mean strict?',
    );
    expect(problems({ rewards: [{ name: 'format', options: { style: 'box' } }] })[0]).toMatch(
      /rewards\.0\.options\.style: format reward: .*boxed/,
    );
    expect(problems({ rewards: [{ name: 'ocaml', options: { time_limit: 5 } }] })[0]).toMatch(
      /did you mean time_limit_ms\?/,
    );
    expect(problems({ rewards: [{ name: 'math', weigth: 2 }] })[0]).toMatch(
      /rewards\.0\.weigth: .*did you mean rewards\.0\.weight\?/,
    );
  });
  it('accepts every built-in reward with its defaults and custom keys of a custom reward', () => {
    const c = parseRunConfig({
      rewards: [
        { name: 'math', options: { strict: true, answer_field: 'gold' } },
        { name: 'format', options: { style: 'regex', pattern: '^A', flags: 'm' } },
        { name: 'overlong', options: { cache_length: 16 } },
        { name: 'ksat', options: { partial_credit: false } },
        { name: 'ocaml', options: { time_limit_ms: 3000 } },
        { name: 'custom', options: { code: 'return 1;', threshold: 3 } },
      ],
    });
    expect(c.rewards).toHaveLength(6);
    expect(c.rewards[0].options).toEqual({ strict: true, answer_field: 'gold' }); // kept as written
  });
});
