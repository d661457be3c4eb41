// The per-environment table of the Evaluation screen, built from a constructed evaluation result, and the
// evaluation export.
import { describe, expect, it } from 'vitest';
import { envRows, evalsExport } from '../../src/ui/eval/env-table.ts';
import type { EnvEvalStats, EnvEvalSummary } from '../../src/env/types.ts';
import type { EvalResult } from '../../src/worker/protocol.ts';

const stats = (env: string, n: number, rate: number, interval: [number, number], mean: number): EnvEvalStats => ({
  env,
  n,
  accuracy: rate,
  success_rate: rate,
  mean,
  std: 0.25,
  median: mean,
  interval,
});
const now: EnvEvalSummary = {
  per_env: [stats('crafting', 10, 0.7, [0.5, 0.85], 1.1234), stats('grid_world', 30, 0.4, [0.29, 0.52], 0.5)],
  aggregate: stats('all', 40, 0.475, [0.37, 0.58], 0.65585),
};
const before: EnvEvalSummary = {
  per_env: [stats('grid_world', 30, 0.1, [0.04, 0.2], 0)],
  aggregate: stats('all', 30, 0.1, [0.04, 0.2], 0),
};

describe('envRows', () => {
  it('formats a row per environment and one for all episodes, with the baseline where it played', () => {
    expect(envRows(now, before)).toEqual([
      {
        env: 'crafting',
        aggregate: false,
        episodes: 10,
        success: '70.0%',
        interval: '50.0% – 85.0%',
        mean: '1.123',
        std: '0.250',
        median: '1.123',
        baseline: '',
      },
      {
        env: 'grid_world',
        aggregate: false,
        episodes: 30,
        success: '40.0%',
        interval: '29.0% – 52.0%',
        mean: '0.500',
        std: '0.250',
        median: '0.500',
        baseline: '10.0%',
      },
      {
        env: 'all environments',
        aggregate: true,
        episodes: 40,
        success: '47.5%',
        interval: '37.0% – 58.0%',
        mean: '0.656',
        std: '0.250',
        median: '0.656',
        baseline: '10.0%',
      },
    ]);
  });

  it('shows no aggregate row for a single environment', () => {
    expect(envRows(before).map((r) => r.env)).toEqual(['grid_world']);
  });
});

describe('evalsExport', () => {
  it('writes every evaluation with its environments', () => {
    const r: EvalResult = {
      step: 4,
      n: 40,
      k: 1,
      accuracy: 0.475,
      interval: [0.37, 0.58],
      metrics: { 'eval_env/all/accuracy': 0.475 },
      examples: [],
      time: 1,
      environments: now,
    };
    const out = JSON.parse(evalsExport('run-1', [r]));
    expect(out.run).toBe('run-1');
    expect(out.evaluations[0].environments.per_env[1]).toMatchObject({ env: 'grid_world', success_rate: 0.4 });
    expect(out.evaluations[0].metrics['eval_env/all/accuracy']).toBe(0.475);
  });
});

describe('EnvTable.svelte', () => {
  it('renders the rows of an evaluation that played environments, and nothing otherwise', async () => {
    const { render } = await import('svelte/server');
    const EnvTable = (await import('../../src/ui/eval/EnvTable.svelte')).default;
    const result: EvalResult = {
      step: 4,
      n: 40,
      k: 1,
      accuracy: 0.475,
      interval: [0.37, 0.58],
      metrics: {},
      examples: [],
      time: 1,
      environments: now,
    };
    const base: EvalResult = { ...result, step: 0, environments: before };
    const html = render(EnvTable, { props: { result, baseline: base } }).body;
    expect(html).toContain('Environments at step 4');
    const cells = (id: string) => {
      const tr = new RegExp(`<tr data-testid="${id}"[^>]*>(.*?)</tr>`).exec(html)?.[1] ?? '';
      return [...tr.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1]);
    };
    expect(cells('eval-env-grid_world')).toEqual([
      'grid_world',
      '30',
      '40.0%',
      '29.0% – 52.0%',
      '0.500',
      '0.250',
      '0.500',
      '10.0%',
    ]);
    expect(cells('eval-env-all')[0]).toBe('all environments');
    expect(html).toContain('baseline success');
    expect(render(EnvTable, { props: { result: { ...result, environments: undefined } } }).body).not.toContain(
      '<table',
    );
  });
});

describe('the comparison across runs', () => {
  it('takes each environment as a task of its own, by success rate', async () => {
    const { SummaryStore, taskScores } = await import('../../src/ui/eval/summaries.svelte.ts');
    const r: EvalResult = {
      step: 4,
      n: 40,
      k: 1,
      accuracy: 0.475,
      interval: [0.37, 0.58],
      metrics: {},
      examples: [],
      time: 1,
      environments: now,
    };
    expect(taskScores('demo-arithmetic', r)).toEqual({
      'env:crafting': { accuracy: 0.7, interval: [0.5, 0.85], n: 10, step: 4 },
      'env:grid_world': { accuracy: 0.4, interval: [0.29, 0.52], n: 30, step: 4 },
    });
    expect(taskScores('demo-arithmetic', { ...r, environments: undefined })).toEqual({
      'demo-arithmetic': { accuracy: 0.475, interval: [0.37, 0.58], n: 40, step: 4 },
    });
    const store = new SummaryStore();
    store.record('run-env', 'tiny', 'demo-arithmetic', { ...r, step: 0, environments: before }, 0);
    store.record('run-env', 'tiny', 'demo-arithmetic', r, 60);
    const s = store.list.find((x) => x.runId === 'run-env')!;
    expect(Object.keys(s.tasks).sort()).toEqual(['env:crafting', 'env:grid_world']);
    expect(s.baseline!['env:grid_world'].accuracy).toBe(0.1);
    expect(s.tasks['env:grid_world'].accuracy).toBe(0.4);
  });
});
