// The agent recipe: its SFT dataset holds the three tasks with reference answers, and its preset is a
// valid sft_then_grpo run on registered environments.
import { describe, it, expect } from 'vitest';
import { loadDataset } from '../../src/data/datasets.ts';
import { presetConfig } from '../../src/engine/presets.ts';
import { envNames } from '../../src/env/registry.ts';
import '../../src/env/builtins.ts';

describe('agent recipe', () => {
  it('agent-tasks: k-SAT, abduction and deduction rows, each with its reference answer', async () => {
    const cfg = presetConfig('agent').data;
    const { train, test } = await loadDataset(cfg);
    for (const rows of [train, test ?? []]) {
      const tasks = new Set(rows.map((r) => r.task));
      expect([...tasks].sort()).toEqual(['ksat', 'python_abduction', 'python_deduction']);
      for (const r of rows) {
        expect(typeof r.prompt).toBe('string');
        expect(String(r.answer).length).toBeGreaterThan(0);
      }
    }
    const ksat = train.find((r) => r.task === 'ksat')!;
    expect(ksat.prompt).toMatch(/End with the assignment on one line/);
    expect(train.find((r) => r.task === 'python_abduction')!.answer).toMatch(/<input>/);
    expect(train.find((r) => r.task === 'python_deduction')!.answer).toMatch(/```python/);
  });

  it('the preset: SFT on the tasks, then PPO on environments that are registered', () => {
    const c = presetConfig('agent');
    expect(c.run.mode).toBe('sft_then_grpo');
    expect(c.grpo.advantage_estimator).toBe('ppo');
    expect(c.rewards).toEqual([]);
    for (const e of c.environment.envs) expect(envNames()).toContain(e.name);
  });
});
