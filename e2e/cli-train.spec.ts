// `webgrpo train` as a user runs it: the CLI builds and serves the app, drives Chromium (software WebGPU
// here), and writes its outputs. Interrupting with SIGINT and resuming gives the metrics of an
// uninterrupted run, step for step.
import { test, expect } from '@playwright/test';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { fakeHub, makeRepo } from '../tests/hub/hub-fixture.ts';
import { serveHub } from '../tests/hub/hub-server.ts';

const BIN = path.resolve('bin/webgrpo.mjs');
const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `webgrpo-${name}-`));
const lines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number>);

// A short GRPO run of the bundled demo model, small enough for software WebGPU.
const CONFIG = {
  model: { id: 'demo' },
  lora: { r: 4, alpha: 8 },
  sampling: { num_generations: 4, max_completion_length: 5 },
  data: { dataset: 'demo-arithmetic', template: 'plain' },
  rewards: [{ name: 'math', weight: 1 }],
  optim: { learning_rate: 2e-3 },
  run: { max_steps: 4, prompts_per_step: 2, micro_batch_size: 8, eval_examples: 8, save_steps: 1, seed: 3 },
};

function train(args: string[]) {
  return spawnSync(process.execPath, [BIN, 'train', ...args], { encoding: 'utf8', timeout: 540_000 });
}

test('train --config writes metrics, adapter, completions and summary; bad input exits non-zero with a reason', async () => {
  const dir = tmp('cfg'),
    out = tmp('out');
  fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify(CONFIG));
  const r = train(['--config', path.join(dir, 'c.json'), '--steps', '2', '--out', out]);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/\[grpo\] step 2\/2 \| loss/);
  // the predicted time, printed before the run starts, from kernels timed on this machine's adapter
  const predicted = r.stderr
    .split('\n')
    .findIndex((l) => /^predicted on this GPU: .+ a step, .+ for the run \(2 steps, 2 evaluations/.test(l));
  expect(predicted, r.stderr).toBeGreaterThanOrEqual(0);
  expect(predicted).toBeLessThan(r.stderr.split('\n').findIndex((l) => l.includes('[grpo] step 1/2')));
  expect(lines(path.join(out, 'metrics.jsonl'))).toHaveLength(2);
  for (const f of [
    'adapter/adapter_config.json',
    'adapter/adapter_model.safetensors',
    'config.json',
    'completions.jsonl',
    'summary.json',
  ])
    expect(fs.existsSync(path.join(out, f)), f).toBe(true);
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
  expect(summary.baseline_eval.n).toBe(8);
  expect(summary.final_eval.step).toBe(2);
  const bad = train(['--preset', 'nope', '--out', out]);
  expect(bad.status).not.toBe(0);
  expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  expect(bad.stderr).toMatch(/no preset "nope": choose one of demo/);
  // an error raised in the page: one line with its class and message, no driver prefix or stack lines
  fs.writeFileSync(
    path.join(dir, 'bad-model.json'),
    JSON.stringify({ ...CONFIG, model: { id: 'http://127.0.0.1:9/no-model' } }),
  );
  const page = train(['--config', path.join(dir, 'bad-model.json'), '--out', tmp('bad-model')]);
  expect(page.status).not.toBe(0);
  const last = page.stderr.trim().split('\n').at(-1)!;
  expect(last, page.stderr).toMatch(/^webgrpo train: [A-Z]\w+: \S/);
  expect(page.stderr).not.toMatch(/page\.evaluate|^\s+at /m);
});

test('SIGINT then --resume gives the metrics of an uninterrupted run', async () => {
  const dir = tmp('cfg');
  fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify(CONFIG));
  const whole = tmp('whole'),
    parts = tmp('parts');
  expect(train(['--config', path.join(dir, 'c.json'), '--out', whole]).status).toBe(0);

  const child = spawn(process.execPath, [BIN, 'train', '--config', path.join(dir, 'c.json'), '--out', parts], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => {
    err += String(d);
    if (/step 2\/4/.test(err) && !child.killed) child.kill('SIGINT');
  });
  const code = await new Promise<number | null>((res) => child.on('exit', res));
  expect(code, err).toBe(130);
  expect(err).toMatch(/--resume/);
  const stoppedAt = lines(path.join(parts, 'metrics.jsonl')).length;
  expect(stoppedAt).toBeLessThan(4);
  // as if the run had gone on past its last checkpoint before it was lost: those steps are trained again
  fs.appendFileSync(
    path.join(parts, 'metrics.jsonl'),
    [stoppedAt + 1, stoppedAt + 2].map((n) => `${JSON.stringify({ step: n, reward: -1 })}\n`).join(''),
  );
  const r = train(['--resume', '--out', parts]);
  expect(r.status, r.stderr).toBe(0);
  const a = lines(path.join(whole, 'metrics.jsonl')),
    b = lines(path.join(parts, 'metrics.jsonl'));
  expect(b.map((m) => m.step)).toEqual([1, 2, 3, 4]);
  // the summary covers the whole run: the step-0 baseline, the final evaluation, every step
  const summary = JSON.parse(fs.readFileSync(path.join(parts, 'summary.json'), 'utf8'));
  const wholeSummary = JSON.parse(fs.readFileSync(path.join(whole, 'summary.json'), 'utf8'));
  expect(summary.baseline_eval.step).toBe(0);
  expect(summary.baseline_eval.accuracy).toBe(wholeSummary.baseline_eval.accuracy);
  expect(summary.final_eval.step).toBe(4);
  expect(summary.final_eval.accuracy).toBe(wholeSummary.final_eval.accuracy);
  expect(summary.steps).toBe(4);
  expect(summary.resumed_from_step).toBe(stoppedAt);
  for (const k of ['reward', 'loss', 'kl', 'grad_norm'])
    expect(
      b.map((m) => m[k]),
      k,
    ).toEqual(a.map((m) => m[k]));
});

test('train --config runs each advantage estimator (rloo, vineppo, ppo) with its metrics', async () => {
  const dir = tmp('est');
  const own: Record<string, string[]> = {
    rloo: [],
    vineppo: ['mc_values/mean', 'step_advantages/mean'],
    ppo: ['value_loss', 'explained_variance'],
  };
  for (const [estimator, keys] of Object.entries(own)) {
    const out = tmp(`est-${estimator}`),
      file = path.join(dir, `${estimator}.json`);
    fs.writeFileSync(
      file,
      JSON.stringify({
        ...CONFIG,
        grpo: { advantage_estimator: estimator, vineppo_k: 2 },
        run: { ...CONFIG.run, max_steps: 2 },
      }),
    );
    const r = train(['--config', file, '--out', out]);
    expect(r.status, `${estimator}: ${r.stderr}`).toBe(0);
    const m = lines(path.join(out, 'metrics.jsonl'));
    expect(m.map((x) => x.step)).toEqual([1, 2]);
    for (const k of ['reward', 'loss', 'grad_norm', ...keys])
      expect(Number.isFinite(m[1][k]), `${estimator} ${k}`).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).grpo.advantage_estimator).toBe(estimator);
  }
});

// Issue check: the demo preset visibly learns on a CPU-only machine in software WebGPU. Thresholds from
// measured runs of the preset here: 30 steps, reward 0.11 -> 0.29 by quarter, evaluation 10% -> 41%
// (6 min 42 s); Node (WASM), 20 steps: 0.10 -> 0.24, 10% -> 40%.
test('the demo preset learns: reward and evaluation accuracy rise within 20 steps', async () => {
  const out = tmp('demo');
  const t0 = Date.now();
  const r = train(['--preset', 'demo', '--steps', '20', '--out', out]);
  expect(r.status, r.stderr).toBe(0);
  const rewards = lines(path.join(out, 'metrics.jsonl')).map((m) => m.reward);
  expect(rewards).toHaveLength(20);
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  const first = mean(rewards.slice(0, 5)),
    last = mean(rewards.slice(-5));
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
  console.log(
    `demo, 20 steps in ${((Date.now() - t0) / 1000).toFixed(0)} s: reward ${first.toFixed(3)} -> ${last.toFixed(3)}; evaluation ${summary.baseline_eval.accuracy} -> ${summary.final_eval.accuracy}`,
  );
  expect(summary.baseline_eval.accuracy).toBeLessThan(0.2);
  expect(summary.final_eval.accuracy).toBeGreaterThan(summary.baseline_eval.accuracy + 0.12);
  expect(last).toBeGreaterThan(first + 0.06);
});

test('HF_ENDPOINT and HF_TOKEN: a gated Hub model trains from that endpoint', async () => {
  const hub = fakeHub();
  const commit = hub.publish('org/tiny', makeRepo(), { token: 'hf_secret' });
  const server = await serveHub(hub);
  const dir = tmp('hub'),
    out = tmp('hub-out');
  try {
    const config = {
      ...CONFIG,
      model: { id: 'org/tiny' },
      sampling: { num_generations: 2, max_completion_length: 2 },
      run: { max_steps: 1, prompts_per_step: 1, eval_examples: 1, save_steps: 0 },
    };
    fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify(config));
    const child = spawn(process.execPath, [BIN, 'train', '--config', path.join(dir, 'c.json'), '--out', out], {
      env: { ...process.env, HF_ENDPOINT: server.url, HF_TOKEN: 'hf_secret' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    expect(
      hub.requests.some((r) => r.url.includes(`/org/tiny/resolve/${commit}/`) && r.auth === 'Bearer hf_secret'),
    ).toBe(true);
    const adapter = JSON.parse(fs.readFileSync(path.join(out, 'adapter/adapter_config.json'), 'utf8'));
    expect(adapter.base_model_name_or_path).toBe('org/tiny');
  } finally {
    await server.close();
  }
});
