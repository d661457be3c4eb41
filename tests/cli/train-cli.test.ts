// `webgrpo train` before and after the browser: an output folder that cannot be written and a resume
// with no run fail at once in one line and create nothing; a resumed run's metrics.jsonl holds each step
// once and its summary.json the whole run; errors from the page reach the terminal as one line.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MetricsLog, eventLine, runSummary } from '../../src/cli/run-output.ts';
import { prepareOutDir } from '../../src/cli/out-dir.ts';
import { fromPlaywright, oneLine } from '../../src/cli/page-error.ts';
import { presetConfig } from '../../src/engine/presets.ts';
import type { EvalResult, StepMetrics } from '../../src/worker/protocol.ts';

const bin = path.resolve(__dirname, '../../bin/webgrpo.mjs');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'webgrpo-train-cli-'));
const train = (...args: string[]) =>
  spawnSync(process.execPath, [bin, 'train', ...args], { encoding: 'utf8', timeout: 120_000 });

describe('webgrpo train: inputs refused before anything starts', () => {
  it('--out where no folder can be made fails at once, in one line, and does not hang', () => {
    const file = path.join(tmp(), 'a-file');
    fs.writeFileSync(file, '');
    for (const out of ['/proc/webgrpo-x/run', '/proc/webgrpo-x', path.join(file, 'run')]) {
      const t = Date.now();
      const r = train('--preset', 'demo', '--out', out);
      expect(r.status, out).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^webgrpo train: OutDirError: --out .*(cannot create it|is a file).*; choose a folder/);
      expect(Date.now() - t, out).toBeLessThan(60_000);
    }
    // eval's results file likewise, before the evaluation rather than after it
    const e = spawnSync(
      process.execPath,
      [bin, 'eval', '--model', 'demo', '--dataset', 'demo-arithmetic', '--out', '/proc/webgrpo-x/r.json'],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(e.status).toBe(1);
    expect(e.stderr.trim()).toMatch(/^webgrpo eval: OutDirError: --out \/proc\/webgrpo-x\/r\.json: cannot create it/);
  }, 240_000);

  it('--resume on a folder with no run says so and creates nothing', () => {
    const parent = tmp();
    const missing = path.join(parent, 'no-such-run');
    const empty = path.join(parent, 'empty');
    fs.mkdirSync(empty);
    for (const out of [missing, empty]) {
      const r = train('--resume', '--out', out);
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/holds no run to resume .*nothing was done or created/);
    }
    expect(fs.existsSync(missing)).toBe(false);
    expect(fs.readdirSync(empty)).toEqual([]);
    fs.writeFileSync(path.join(empty, 'run.json'), '{"runId": ');
    expect(train('--resume', '--out', empty).stderr).toMatch(/run\.json is damaged/);
  }, 240_000);
});

describe('prepareOutDir', () => {
  it('creates missing parents, and removes what it created when the folder cannot be written', () => {
    const dir = path.join(tmp(), 'a', 'b', 'c');
    prepareOutDir(dir);
    expect(fs.readdirSync(dir)).toEqual([]);
    if (process.getuid?.() === 0) return; // permissions do not bind root
    const ro = tmp();
    fs.chmodSync(ro, 0o500);
    expect(() => prepareOutDir(path.join(ro, 'x', 'y'))).toThrow(/cannot create it \(EACCES\)/);
    expect(() => prepareOutDir(ro)).toThrow(/cannot write there \(EACCES\)/);
  });
});

const step = (n: number, tokens: number): StepMetrics => ({
  step: n,
  phase: 'grpo',
  time: 0,
  values: { loss: n / 10, num_tokens: tokens },
});
const evalAt = (n: number, accuracy: number) => ({ step: n, accuracy, n: 8 }) as unknown as EvalResult;

describe('a resumed run', () => {
  it('metrics.jsonl keeps the steps up to the checkpoint and has every step once', () => {
    const file = path.join(tmp(), 'metrics.jsonl');
    // a run that logged 8 steps, then resumed from its checkpoint of step 6
    fs.writeFileSync(file, [1, 2, 3, 4, 5, 6, 7, 8].map((n) => JSON.stringify({ step: n })).join('\n') + '\n');
    const log = new MetricsLog(file, true);
    log.open(6);
    for (const n of [7, 8, 9]) log.write(step(n, n * 100));
    const steps = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).step);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(log.resumedFrom).toBe(6);
    // a fresh run in the same folder starts the file again
    const fresh = new MetricsLog(file, false);
    fresh.write(step(1, 100));
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it("summary.json has the step-0 baseline, the final evaluation and the whole run's step count", () => {
    const history = [1, 2, 3, 4].map((n) => step(n, n * 100));
    const s = runSummary({
      started: Date.now() - 2000,
      evals: [evalAt(0, 0.1), evalAt(2, 0.2), evalAt(4, 0.4)],
      history,
      resumedFrom: 2,
    });
    expect(s.baseline_eval).toMatchObject({ step: 0, accuracy: 0.1 });
    expect(s.final_eval).toMatchObject({ step: 4, accuracy: 0.4 });
    expect(s.steps).toBe(4);
    expect(s.resumed_from_step).toBe(2);
    // tokens of this invocation's steps (3 and 4) over its own time
    expect(s.tokens_per_second).toBeGreaterThan(100 / 3);
    expect(s.tokens_per_second).toBeLessThan(200 / 1.9);
  });
});

describe('what reaches the terminal', () => {
  const cfg = presetConfig('demo');
  it('says when a corrupt checkpoint was passed over on resume', () => {
    const message =
      'resumed from the checkpoint of step 4: the newer checkpoint of step 6 (checkpoint checksum mismatch) could not be read and was skipped';
    expect(eventLine({ kind: 'log', message }, cfg, Date.now())).toBe(message);
  });

  it("page errors are one line with the page's class and message", () => {
    const playwright = new Error(
      'page.evaluate: ConfigError: run.max_steps: must be positive\n' +
        '    at t.start (http://localhost:4173/assets/index-abc.js:1:2345)\n' +
        '    at async Object.headlessStart (http://localhost:4173/assets/lab-x.js:1:99)',
    );
    const e = fromPlaywright(playwright);
    expect(e.name).toBe('ConfigError');
    expect(e.message).toBe('run.max_steps: must be positive');
    expect(oneLine('page.waitForSelector: Timeout 60000ms exceeded.\nCall log:\n  - waiting for locator')).toBe(
      'Timeout 60000ms exceeded.',
    );
  });
});
