// The training worker in Chromium (WebGPU on SwiftShader): a short GRPO run on demo-arithmetic with the
// math reward, and exact resume across a page reload: a run paused after 2 of 4 steps, the page
// reloaded, the run resumed from its IndexedDB checkpoint, gives the same per-step rewards and losses as
// a run that was never interrupted. The model is the qwen2 fixture with a character tokenizer.
import { test, expect, type Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLab, callLab, serveDir } from './lab.ts';

const root =
  process.env.WEBGRPO_FIXTURES ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/hf-tiny');

/** The qwen2 fixture plus a tokenizer with one token per character for all 256 ids. */
function modelDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webgrpo-e2e-model-'));
  for (const f of ['config.json', 'generation_config.json', 'model.safetensors'])
    fs.copyFileSync(path.join(root, 'qwen2', f), path.join(dir, f));
  const vocab: Record<string, number> = { '<pad>': 0, '<s>': 1, '</s>': 2 };
  const chars = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 +-=?.,:;#*/()\n'];
  while (chars.length < 253) chars.push(String.fromCharCode(0x100 + chars.length));
  chars.forEach((c, i) => {
    vocab[c] = i + 3;
  });
  fs.writeFileSync(
    path.join(dir, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0',
      truncation: null,
      padding: null,
      normalizer: null,
      post_processor: null,
      decoder: { type: 'Fuse' },
      added_tokens: ['<pad>', '<s>', '</s>'].map((content, id) => ({
        id,
        content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      })),
      pre_tokenizer: { type: 'Split', pattern: { Regex: '.|\\n' }, behavior: 'Isolated', invert: false },
      model: { type: 'WordLevel', vocab, unk_token: '<pad>' },
    }),
  );
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ eos_token: '</s>', pad_token: '<pad>' }));
  return dir;
}

// a reward a random model earns some of, so advantages, losses and KL are not all zero
const DIGITS =
  "const s = sample.completion; return s.length ? s.split('').filter((c) => c >= '0' && c <= '9').length / s.length : null;";

const config = {
  model: { id: '/local-model' },
  data: { dataset: 'demo-arithmetic' },
  rewards: [{ name: 'math' }, { name: 'custom', options: { code: DIGITS } }],
  sampling: { num_generations: 4, max_completion_length: 6 },
  lora: { r: 4 },
  optim: { learning_rate: 0.01 },
  grpo: { beta: 0.04 },
  run: { max_steps: 4, prompts_per_step: 2, micro_batch_size: 4, eval_examples: 4, save_steps: 0, seed: 7 },
};

type Ev = {
  kind: string;
  status?: { state: string; runId: string; step: number };
  metrics?: { step: number; values: Record<string, number> };
};

async function open(page: Page, events: Ev[]): Promise<void> {
  await page.exposeFunction('webgrpoEvent', (e: Ev) => {
    events.push(e);
  });
  await openLab(page);
}

async function until(page: Page, events: Ev[], pred: (e: Ev) => boolean, ms = 300_000): Promise<Ev> {
  const t0 = Date.now();
  for (;;) {
    const hit = events.find(pred);
    if (hit) return hit;
    const err = events.find((e) => e.kind === 'error');
    if (err) throw new Error(`run failed: ${JSON.stringify(err)}`);
    if (Date.now() - t0 > ms) throw new Error('timed out waiting for the run');
    await page.waitForTimeout(200);
  }
}

const trace = (jsonl: string) =>
  jsonl
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .map((m) => [m.step, m.reward, m.loss, m.kl, m.learning_rate, m.grad_norm]);

test('a GRPO run in the worker, and exact resume across a page reload', async ({ page }) => {
  const dir = modelDir();
  await serveDir(page, 'local-model', dir);
  const events: Ev[] = [];
  await open(page, events);

  await callLab(page, 'headlessStart', config, null);
  await until(page, events, (e) => e.kind === 'state' && e.status!.state === 'done');
  const straight = trace(await callLab<string>(page, 'headlessCall', 'exportMetrics', ['jsonl']));
  expect(straight).toHaveLength(4);
  // a real update happened (the loss itself can be 0: at ratio 1 a group's advantages sum to 0 over equal lengths)
  expect(straight.some((r) => r[5] > 0)).toBe(true);
  // and the step's scalars were read back (regression: tfjs's WebGPU addN of more than seven tensors made them 0)
  expect(straight.slice(1).every((r) => r[3] > 0)).toBe(true); // KL to the reference once the adapter moved
  expect(events.some((e) => e.kind === 'eval')).toBe(true);

  events.length = 0;
  const started = await callLab<{ runId: string }>(page, 'headlessStart', config, null);
  await until(page, events, (e) => e.kind === 'metrics' && e.metrics!.step === 1);
  const paused = await callLab<{ state: string; step: number }>(page, 'headlessCall', 'pause', []);
  expect(paused.state).toBe('paused');
  expect(paused.step).toBeLessThan(4);

  await page.reload();
  await page.waitForSelector('body[data-ready="1"]');
  events.length = 0;
  const runs = await callLab<{ runId: string; lastStep: number; finished: boolean }[]>(
    page,
    'headlessCall',
    'listRuns',
    [],
  );
  expect(runs.find((r) => r.runId === started.runId)?.finished).toBe(false);
  await callLab(page, 'headlessStart', null, started.runId);
  await until(page, events, (e) => e.kind === 'state' && e.status!.state === 'done');
  const resumed = trace(await callLab<string>(page, 'headlessCall', 'exportMetrics', ['jsonl']));
  console.log('straight', JSON.stringify(straight), '\nresumed ', JSON.stringify(resumed));
  expect(resumed.map((r) => r[0])).toEqual([1, 2, 3, 4]);
  resumed.forEach((row, i) =>
    row.forEach((x, j) => expect(x, `step ${i + 1} column ${j}`).toBeCloseTo(straight[i][j], 5)),
  );
  fs.rmSync(dir, { recursive: true, force: true });
});

test('runs that differ by advantage estimator, overlaid on the Evaluation screen', async ({ page }) => {
  await serveDir(page, 'local-model', modelDir());
  const events: Ev[] = [];
  await open(page, events);
  const ids: string[] = [];
  for (const estimator of ['grpo', 'rloo']) {
    events.length = 0;
    const started = await callLab<{ runId: string }>(
      page,
      'headlessStart',
      { ...config, grpo: { ...config.grpo, advantage_estimator: estimator }, run: { ...config.run, max_steps: 2 } },
      null,
    );
    ids.push(started.runId);
    await until(page, events, (e) => e.kind === 'state' && e.status!.state === 'done');
  }
  // the app, in the same origin, finds both runs in IndexedDB
  await page.goto('/');
  await page.getByRole('tab', { name: 'Evaluation' }).click();
  for (const id of ids) await page.getByTestId(`overlay-pick-${id}`).check();
  await page.getByTestId('overlay-compare').click();
  await expect(page.getByTestId('overlay-diffs')).toContainText('differ only in grpo.advantage_estimator: grpo | rloo');
  await expect(page.getByTestId('overlay-evals').locator('tbody tr')).toHaveCount(2);
  await expect(page.getByTestId('chart-overlay reward')).toBeVisible();
  for (const label of ['advantage_estimator: grpo', 'advantage_estimator: rloo'])
    await expect(page.getByTestId('chart-overlay reward').getByTestId(`last-${label}`)).not.toHaveText('–');
  await page.screenshot({ path: 'test-results/screens/run-overlay.png', fullPage: true });
});
