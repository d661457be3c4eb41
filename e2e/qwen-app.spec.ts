// The headline journey in the app, as a user drives it: the Hub endpoint set to a local Hub serving a model of
// Qwen2.5-0.5B-Instruct's exact shape (random bf16 weights, Qwen's real tokenizer); Qwen/Qwen2.5-0.5B-Instruct
// chosen in the Model tab; the memory estimate; the download with a bar per file; a GSM8K prompt rendered with
// the chat template tokenised in the page to Qwen's ids; a run opened from a link (GSM8K, 1 prompt x 2
// completions of 8 tokens, gradient checkpointing, 16-bit weights as stored) paused after its first GRPO step
// with a checkpoint in IndexedDB; the page reloaded (a closed tab); the run resumed from the cached model and
// its second step done; the adapter naming the Hub id and commit. The same journey runs on a 2-layer model
// with Qwen's vocabulary and tokenizer ('small', seconds) and at full size ('full', minutes and about 6 GB of
// memory in software WebGPU: run one such test at a time).
import { test, expect, chromium, type BrowserContext, type Page } from '@playwright/test';
import { unzipSync, strFromU8 } from 'fflate';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fakeHub } from '../tests/hub/hub-fixture.ts';
import { serveHub } from '../tests/hub/hub-server.ts';
import { QWEN25_DEFAULT_SYSTEM, QWEN_ID, qwenShapedModel, type QwenSize } from '../tests/hub/qwen-shape.ts';
import { encodeConfig } from '../src/engine/link.ts';
import { parseRunConfig } from '../src/engine/config.ts';
import { callLab, openLab } from './lab.ts';

const IM_START = 151644,
  IM_END = 151645,
  NL = 198;

const gsm8k = JSON.parse(fs.readFileSync('src/data/bundled/gsm8k-sample.json', 'utf8')) as {
  train: { question: string }[];
};

/** The run, kept tiny: one prompt x 2 completions of 8 tokens per step, two steps, one evaluation example. */
const RUN = {
  sampling: { num_generations: 2, max_prompt_length: 64, max_completion_length: 8 },
  data: { dataset: 'gsm8k-sample', template: 'gsm8k-boxed' },
  rewards: [{ name: 'math', weight: 1 }],
  run: {
    max_steps: 2,
    prompts_per_step: 1,
    micro_batch_size: 2,
    eval_examples: 1,
    gradient_checkpointing: true,
    seed: 1,
  },
};

const SHAPES: { size: QwenSize; id: string; parameters: string; loaded: string; minutes: number }[] = [
  {
    size: 'small',
    id: 'webgrpo-test/Qwen2.5-small',
    parameters: '9.8 M',
    loaded: 'qwen2, 2 layers, hidden 64',
    minutes: 5,
  },
  { size: 'full', id: QWEN_ID, parameters: '494', loaded: 'qwen2, 24 layers, hidden 896', minutes: 90 },
];

let server: Awaited<ReturnType<typeof serveHub>>;
const hub = fakeHub();
test.beforeAll(async () => {
  for (const s of SHAPES)
    if (s.size === 'small' || process.env.WEBGRPO_FULL_SIZE) hub.publish(s.id, qwenShapedModel({ size: s.size }));
  server = await serveHub(hub);
});
test.afterAll(() => server.close());

/**
 * A browser profile on disk, as a user's. Playwright's own contexts are off the record, and there Chromium
 * refuses Cache Storage entries of about 300 MB or more ("UnknownError: Unexpected internal error"; 200 MB
 * is kept): the 0.5B model's 494 MB shards would download again after the reload. A profile on disk keeps them.
 */
async function userProfile(): Promise<{
  context: BrowserContext;
  page: Page;
  errors: string[];
  close(): Promise<void>;
}> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webgrpo-profile-'));
  const use = test.info().project.use;
  const context = await chromium.launchPersistentContext(dir, {
    ...use.launchOptions,
    baseURL: use.baseURL,
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const close = async () => {
    await context.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { context, page, errors, close };
}

async function download(page: Page, testId: string): Promise<Buffer> {
  const d = page.waitForEvent('download');
  await page.getByTestId(testId).click();
  return fs.readFileSync((await (await d).path())!);
}
const jsonl = (b: Buffer) =>
  b
    .toString()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
const weightRequests = () => hub.requests.filter((r) => /\/resolve\/.*\.safetensors$/.test(new URL(r.url).pathname));
const minutes = (t0: number) => ((Date.now() - t0) / 60_000).toFixed(1);

for (const shape of SHAPES) {
  test.describe(shape.size, () => {
    // Full size is opt-in: see the README's "Real size" section for how long it takes here.
    test.skip(shape.size === 'full' && !process.env.WEBGRPO_FULL_SIZE, 'set WEBGRPO_FULL_SIZE=1 for the 0.5B journey');

    test(`${shape.id} from a local Hub: estimate, download, Qwen's ids, a step, checkpoint, reload, resume, a second step`, async () => {
      const { context, page, errors, close } = await userProfile();
      try {
        await journey(shape, context, page);
        expect(errors).toEqual([]);
      } finally {
        await close();
      }
    });
  });
}

async function journey(shape: (typeof SHAPES)[number], context: BrowserContext, page: Page): Promise<void> {
  const long = shape.minutes * 60_000;
  test.setTimeout(long);
  const t0 = Date.now();
  const commit = hub.repos.get(shape.id)!.refs.get('main')!;
  // the run's setup arrives as a shared link; the model is chosen on the Model tab
  await page.goto(`/#run=${await encodeConfig(parseRunConfig(RUN))}`);
  await expect(page.getByTestId('link-status')).toContainText('Opened the setup from the link');
  await page.getByText('Hub settings').click();
  await page.getByTestId('hub-endpoint').fill(server.url);
  await page.getByTestId('hub-endpoint').dispatchEvent('change');
  await page.getByTestId('model-id').fill(shape.id);
  await expect(page.getByTestId('memory')).toContainText(`for ${shape.parameters}`, { timeout: 60_000 });
  await expect(page.getByTestId('memory')).toContainText('in 16 bits');
  await page.getByTestId('load-model').click();
  const downloads = page.getByTestId('downloads');
  await expect(downloads).toContainText('model-00001-of-00002.safetensors', { timeout: 120_000 });
  await expect(downloads).toContainText('model-00002-of-00002.safetensors', { timeout: long });
  await expect(page.getByTestId('model-loaded')).toContainText(shape.loaded, { timeout: long });
  // this model's files only: the Hub also served the other shape's, when both run
  const files = hub.requests.map((r) => new URL(r.url).pathname).filter((p) => p.startsWith(`/${shape.id}/resolve/`));
  // every file of the model came from the commit `main` resolved to, the estimate's config.json included
  expect(files.filter((p) => !p.startsWith(`/${shape.id}/resolve/${commit}/`))).toEqual([]);
  expect(files.filter((p) => p.endsWith('/config.json'))).toHaveLength(1); // the load found it in the cache
  const downloaded = weightRequests().length;
  console.log(`[${shape.size}] estimate, download and load: ${minutes(t0)} min`);

  // a GSM8K prompt in the chat template, tokenised in the page as training prompts are
  const lab = await context.newPage();
  await openLab(lab);
  const ids = await callLab<{ commit: string; prompt: string; ids: number[]; texts: number[][] }>(
    lab,
    'hubChatIds',
    server.url,
    shape.id,
    [{ role: 'user', content: gsm8k.train[0].question }],
    ['Hello world'],
  );
  expect(ids.commit).toBe(commit);
  expect(ids.prompt.startsWith(`<|im_start|>system\n${QWEN25_DEFAULT_SYSTEM}<|im_end|>\n<|im_start|>user\n`)).toBe(
    true,
  );
  expect(ids.ids.slice(0, 3)).toEqual([IM_START, 8948, NL]); // <|im_start|> system \n
  expect(ids.ids.filter((i) => i === IM_END)).toHaveLength(2); // after the system and user turns
  expect(ids.ids.slice(-3)).toEqual([IM_START, 77091, NL]); // <|im_start|> assistant \n
  expect(ids.texts[0]).toEqual([9707, 1879]);
  await lab.close();

  // one GRPO step, then Pause: the run stops after it and saves a checkpoint in IndexedDB
  const t1 = Date.now();
  await page.getByRole('tab', { name: 'Run' }).click();
  await page.getByTestId('train').click();
  // Pause once the baseline evaluation is in: the step after it is the one that completes
  await expect(page.getByTestId('chart-accuracy')).toHaveAttribute('data-points', '1', { timeout: long });
  await page.getByTestId('pause').click();
  await expect(page.getByTestId('run-state')).toHaveText(/^(paused|error)$/, { timeout: long });
  await expect(page.getByTestId('run-error')).toHaveCount(0);
  await expect(page.getByTestId('step')).toHaveText('step 1/2');
  console.log(`[${shape.size}] baseline evaluation and step 1: ${minutes(t1)} min`);
  await page.getByRole('tab', { name: 'Checkpoints' }).click();
  const row = page.getByTestId('checkpoints').locator('tbody tr');
  await expect(row).toHaveCount(1);
  await expect(row.locator('td').nth(4)).toHaveText('1'); // a checkpoint of step 1
  const runId = (await row.locator('td').first().textContent())!.trim();
  const dbs = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  expect(dbs).toContain(`webgrpo-run-${runId}`);

  // a closed tab: the page reloads, offers the unfinished run, and resumes it from the cached model
  const t2 = Date.now();
  await page.reload();
  await expect(page.getByTestId('resume-banner')).toContainText(`(${runId}, ${shape.id}) stopped at step 1 of 2`, {
    timeout: 60_000,
  });
  await page.getByTestId('resume-banner').getByRole('button', { name: 'Resume it' }).click();
  await expect(page.getByTestId('run-state')).toHaveText(/^(done|error)$/, { timeout: long });
  await expect(page.getByTestId('run-error')).toHaveCount(0);
  expect(await page.getByTestId('run-state').textContent()).toBe('done');
  await expect(page.getByTestId('step')).toHaveText('step 2/2');
  console.log(`[${shape.size}] reload, load from the cache, step 2 and the final evaluation: ${minutes(t2)} min`);
  expect(weightRequests()).toHaveLength(downloaded); // the weights came from the browser's cache

  await page.getByRole('tab', { name: 'Checkpoints' }).click();
  const steps = jsonl(await download(page, 'export-jsonl'));
  expect(steps.map((s) => s.step)).toEqual([1, 2]);
  for (const s of steps)
    console.log(`[${shape.size}] step ${s.step}: ${s.step_time.toFixed(1)} s, peak GPU bytes ${s.gpu_peak_bytes}`);
  // the prompts trained on are GSM8K's in Qwen's chat template (cut from the left to max_prompt_length)
  const log = jsonl(await download(page, 'export-completions'));
  expect(log).toHaveLength(4);
  for (const e of log)
    expect(e.prompt).toMatch(/<\|im_start\|>user\n[\s\S]*\\boxed\{\}.<\|im_end\|>\n<\|im_start\|>assistant\n$/);
  const zip = unzipSync(new Uint8Array(await download(page, 'export-adapter')));
  const adapter = JSON.parse(strFromU8(zip['adapter/adapter_config.json']));
  expect(adapter).toMatchObject({ base_model_name_or_path: shape.id, revision: commit, r: 16 });
  console.log(`[${shape.size}] the whole journey: ${minutes(t0)} min`);
}
