// `webgrpo train --config` on environments, end to end: the bundled demo model plays grid_world and
// crafting in headless Chromium (software WebGPU here) for two PPO steps, and the outputs carry what an
// environment run promises: per-step env/* metrics and per-environment returns in metrics.jsonl, each
// episode's per-turn rewards in completions.jsonl, and in summary.json the per-environment evaluation
// (success rate, mean, std, median, Jeffreys 80% interval) and the aggregate over all episodes pooled,
// all checked here against values recomputed from the evaluation's own episode records.
import { test, expect } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const BIN = path.resolve('bin/webgrpo.mjs');

// One GRPO step on one-turn episodes, two held-out episodes per environment: the environments' instructions
// make prompts of about 1,000 tokens for the demo model's character tokenizer, which software WebGPU is slow
// at, so the run is kept to the least that shows the bookkeeping. The demo model writes characters, not
// actions, so its turns are mostly not understood: crafting's invalid_penalty is set to 0 and grid_world's
// kept, so the two environments' returns differ and the pooled aggregate differs from an average of rows.
const CONFIG = {
  model: { id: 'demo' },
  lora: { r: 4, alpha: 8 },
  sampling: { num_generations: 2, max_completion_length: 8, max_prompt_length: 1024 },
  environment: {
    envs: [
      { name: 'grid_world', options: { rooms: 1, size: 3, objects: 1 } },
      { name: 'crafting', options: { max_depth: 1, distractors: 0, invalid_penalty: 0 } },
    ],
    max_turns: 1,
    max_turn_tokens: 4,
    eval_episodes: 2,
  },
  optim: { learning_rate: 2e-3 },
  run: { max_steps: 1, prompts_per_step: 1, micro_batch_size: 2, save_steps: 0, seed: 3 },
};

interface Episode {
  env: string;
  rewards: number[];
  return: number;
  success: boolean;
  turns: number;
}
interface Stats {
  env: string;
  n: number;
  accuracy: number;
  success_rate: number;
  mean: number;
  std: number;
  median: number;
  interval: [number, number];
}

const avg = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
const popStd = (x: number[]) => Math.sqrt(avg(x.map((v) => (v - avg(x)) ** 2)));
const med = (x: number[]) => {
  const s = [...x].sort((a, b) => a - b),
    m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The q-quantile of Beta(a, b) by integrating its density numerically (independent of the app's code). */
function betaQuantile(q: number, a: number, b: number): number {
  const N = 200_000,
    xs: number[] = [],
    cdf: number[] = [];
  let sum = 0;
  // substitute x = u^2 near 0 and 1 would be finer; midpoints on a fine grid are enough for 3 decimals
  for (let i = 0; i < N; i++) {
    const x = (i + 0.5) / N;
    sum += Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log(1 - x));
    xs.push(x);
    cdf.push(sum);
  }
  const k = cdf.findIndex((c) => c >= q * sum);
  return xs[k];
}

function expectStats(s: Stats, eps: Episode[]) {
  const wins = eps.filter((e) => e.success).length,
    returns = eps.map((e) => e.return);
  expect(s.n).toBe(eps.length);
  expect(s.success_rate).toBeCloseTo(wins / eps.length, 12);
  expect(s.accuracy).toBe(s.success_rate);
  expect(s.mean).toBeCloseTo(avg(returns), 9);
  expect(s.std).toBeCloseTo(popStd(returns), 9);
  expect(s.median).toBeCloseTo(med(returns), 9);
  const a = wins + 0.5,
    b = eps.length - wins + 0.5;
  expect(s.interval[0]).toBeCloseTo(wins === 0 ? 0 : betaQuantile(0.1, a, b), 2);
  expect(s.interval[1]).toBeCloseTo(wins === eps.length ? 1 : betaQuantile(0.9, a, b), 2);
}

test('train --config on environments: metrics, completions and the per-environment evaluation in summary.json', async () => {
  test.setTimeout(600_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webgrpo-env-cfg-')),
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'webgrpo-env-out-'));
  fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify(CONFIG));
  const r = spawnSync(process.execPath, [BIN, 'train', '--config', path.join(dir, 'c.json'), '--out', out], {
    encoding: 'utf8',
    timeout: 540_000,
  });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/\[grpo\] step 1\/1 \| loss/);
  expect(r.stderr).toMatch(/eval @ step 1: accuracy .* \| crafting .*\(return .*\) \| grid_world /);

  // metrics.jsonl: one record a step, with the environment figures of the step's episodes
  const metrics = fs
    .readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number>);
  expect(metrics.map((m) => m.step)).toEqual([1]);
  for (const m of metrics) {
    for (const k of ['env/turns_mean', 'env/return_mean', 'env/success_rate', 'env/reward_per_turn', 'env/errors'])
      expect(Number.isFinite(m[k]), k).toBe(true);
    expect(m['env/turns_mean']).toBe(1);
    expect(m['env/errors']).toBe(0);
    expect(Number.isFinite(m.loss), JSON.stringify(m)).toBe(true);
    const env = Object.keys(m).find((k) => /^env\/(grid_world|crafting)\/return_mean$/.test(k));
    expect(env, JSON.stringify(m)).toBeDefined(); // the step's group: one environment, drawn by weight
  }

  // completions.jsonl: each episode with its per-turn rewards, whose sum is its return
  const logged = fs
    .readFileSync(path.join(out, 'completions.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(logged).toHaveLength(2); // steps x groups x episodes
  for (const c of logged) {
    const [env] = Object.keys(c.details);
    const ep = c.details[env].episode as Episode;
    expect(ep.rewards).toHaveLength(ep.turns);
    expect(ep.return).toBeCloseTo(avg(ep.rewards) * ep.rewards.length, 9);
    expect(c.reward).toBe(ep.return);
  }

  // summary.json: baseline and final evaluations, each environment's row and the pooled aggregate
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
  expect(summary.steps).toBe(1);
  for (const which of ['baseline', 'final'] as const) {
    const ev = summary[`${which}_eval`];
    const env = summary.environments[which];
    const eps = ev.episodes as Episode[];
    expect(eps).toHaveLength(4); // eval_episodes x environments
    expect(env.per_env.map((s: Stats) => s.env)).toEqual(['crafting', 'grid_world']);
    for (const s of env.per_env as Stats[])
      expectStats(
        s,
        eps.filter((e) => e.env === s.env),
      );
    // the aggregate pools the episodes (weighted by episodes), which is not the average of the rows' std
    expectStats(env.aggregate, eps);
    expect(env.aggregate.env).toBe('all');
    const rows = env.per_env as Stats[];
    expect(env.aggregate.mean).toBeCloseTo(
      rows.reduce((a, s) => a + s.n * s.mean, 0) / rows.reduce((a, s) => a + s.n, 0),
      9,
    );
    expect(ev.metrics['eval_env/all/success_rate']).toBe(env.aggregate.success_rate);
    expect(ev.metrics['eval_env/grid_world/return_std']).toBe(rows[1].std);
    expect(ev.metrics['eval_env/crafting/success_low']).toBe(rows[0].interval[0]);
  }
});
