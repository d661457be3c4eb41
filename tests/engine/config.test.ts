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
