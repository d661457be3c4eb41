// The data and reward screens in Chromium, through the lab page: the bundled GSM8K sample, an upload with a
// bad line, field mapping, previews; the reward worker, its time limit, and the custom-reward sandbox.
import { test, expect } from '@playwright/test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { callLab, openLab } from './lab.ts';
import { escapes } from '../tests/reward/escapes.ts';

test('dataset picker: bundled GSM8K, an upload with a bad line, field mapping, preview', async ({ page }) => {
  await openLab(page);
  await callLab(page, 'mountDatasetPicker');
  const picker = page.getByTestId('dataset-picker');

  await picker.getByRole('button', { name: 'GSM8K sample (offline)' }).click();
  await expect(page.getByTestId('dataset-status')).toHaveText('gsm8k-sample: 200 rows');
  const preview = page.getByTestId('preview');
  await expect(preview.locator('tbody tr')).toHaveCount(5);
  await expect(preview.locator('tbody tr').first()).toContainText('Natalia sold clips');
  await expect(preview.locator('tbody tr').first()).toContainText('put your final answer within \\boxed{}');
  await expect(preview.locator('tbody tr').first()).toContainText('#### 72');
  await page.getByTestId('system-prompt').fill('You are a careful tutor.');
  await page.getByTestId('few-shot').fill('1');
  const first = preview.locator('tbody tr').first().locator('td').first();
  await expect(first).toContainText(/^You are a careful tutor\.\n\n[\s\S]+The final answer is \\boxed\{\d+\}\.\n\n/);

  const jsonl =
    '{"problem": "What is 2 + 3?", "solution": "5", "source": "a"}\n{"problem": "What is 4 + 4?", "solution": \n{"problem": "What is 9 - 1?", "solution": "8", "source": "b"}\n';
  await page
    .getByTestId('upload')
    .setInputFiles({ name: 'mine.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(jsonl) });
  const errors = page.getByTestId('upload-errors');
  await expect(errors).toContainText('1 line could not be read');
  await expect(errors).toContainText('line 2 is not valid JSON');
  await errors.getByRole('button', { name: 'Load the 2 rows that could be read' }).click();
  await expect(page.getByTestId('dataset-status')).toHaveText('mine.jsonl: 2 rows');

  // the mapping was guessed from the column names; map the answer to another column and see the preview follow
  await expect(page.getByTestId('prompt-field')).toHaveValue('problem');
  await expect(page.getByTestId('answer-field')).toHaveValue('solution');
  await expect(preview.locator('tbody tr')).toHaveCount(2);
  await expect(preview.locator('tbody tr').nth(1)).toContainText('What is 9 - 1?');
  await page.getByTestId('template').selectOption('plain');
  await page.getByTestId('answer-field').selectOption('source');
  await expect(preview.locator('tbody tr').nth(1).locator('td').nth(1)).toHaveText('b');
});

test('dataset picker: a Hub dataset read from its Parquet files', async ({ page }) => {
  // the Hub stands in here: its Parquet listing and one file made in the test
  const parquet = Buffer.from(
    parquetWriteBuffer({
      columnData: [
        { name: 'problem', data: ['What is 6 * 7?', 'What is 9 + 10?', 'What is 3 - 1?'], type: 'STRING' },
        { name: 'solution', data: ['42', '19', '2'], type: 'STRING' },
      ],
    }),
  );
  await page.route('https://huggingface.co/api/datasets/someone/tiny-math/parquet/default/train', (r) =>
    r.fulfill({
      json: [
        'https://huggingface.co/datasets/someone/tiny-math/resolve/refs%2Fconvert%2Fparquet/default/train/0000.parquet',
      ],
    }),
  );
  await page.route('https://huggingface.co/datasets/someone/tiny-math/resolve/**', (r) =>
    r.fulfill({ body: parquet, headers: { 'access-control-allow-origin': '*' } }),
  );
  await openLab(page);
  await callLab(page, 'mountDatasetPicker');
  await page.getByLabel('Hub dataset').fill('someone/tiny-math');
  await page.getByLabel('config').fill('default');
  await page.getByLabel('split').fill('train');
  await page.getByRole('button', { name: 'Load from the Hub' }).click();
  await expect(page.getByTestId('dataset-status')).toHaveText('someone/tiny-math: 3 rows');
  await expect(page.getByTestId('prompt-field')).toHaveValue('problem');
  await expect(page.getByTestId('preview').locator('tbody tr').first()).toContainText('What is 6 * 7?');
});

test('reward list: the try-it box scores a completion in the reward worker', async ({ page }) => {
  await openLab(page);
  await callLab(page, 'mountRewardList');
  await page.getByTestId('try-completion').fill('Each costs $9, so 2 cost $18.\n\\boxed{18}');
  await page.getByTestId('try-gold').fill('18');
  await page.getByTestId('try-run').click();
  const table = page.getByTestId('try-breakdown');
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table.locator('tbody tr').first()).toContainText('equal to the gold answer');
  await expect(page.getByTestId('try-total')).toHaveText('1.100');

  // a custom reward, written in the box, scored in its sandbox
  await page.locator('select').last().selectOption('custom');
  await page.getByRole('button', { name: 'Add reward' }).click();
  await page.getByTestId('custom-code').fill('return sample.completion.includes("$") ? 0.5 : 0;');
  await page.getByTestId('try-run').click();
  await expect(table.locator('tbody tr')).toHaveCount(3);
  await expect(table.locator('tbody tr').nth(2)).toContainText('0.500');
  await expect(page.getByTestId('try-total')).toHaveText('1.600');
});

test('reward worker: a stuck reward times out, scores failure_score, is counted, and the run goes on', async ({
  page,
}) => {
  await openLab(page);
  const r = await callLab<{ scores: number[][]; counters: Record<string, number> }>(
    page,
    'rewardWorkerProbe',
    [{ name: 'math' }, { name: 'custom', options: { code: 'while (true) {}' }, timeout_ms: 1500, failure_score: -1 }],
    ['The answer is 18.', '17'],
    '18',
  );
  expect(r.scores).toEqual([
    [1, -1],
    [0, -1],
  ]);
  expect(r.counters['rewards/custom/timeouts']).toBe(2);
});

test('custom reward sandbox in Chromium: every escape fails, reaches no listener, within its time limit', async ({
  page,
}) => {
  const requests: string[] = [];
  const listener = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(200, { 'access-control-allow-origin': '*' }).end('1');
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const leak = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/leak`;
  const wasm: string[] = [];
  page.context().on('request', (r) => {
    if (/\.wasm($|\?)/.test(r.url())) wasm.push(r.url());
  });
  try {
    await openLab(page);
    const list = escapes(leak);
    const good = 'return sample.completion.length > 3 ? 1 : 0;';
    const timeoutMs = 1000;
    const usage = () => page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    const storedBefore = await usage();
    const r = await callLab<{ result?: unknown; error?: string; ms: number }[]>(
      page,
      'customRewardProbe',
      [good, ...list.map((e) => e.code), good],
      'hello',
      timeoutMs,
    );
    expect(r[0].result).toEqual({ score: 1 });
    list.forEach((e, i) => {
      expect(r[i + 1].error, `${e.name}: ${JSON.stringify(r[i + 1])}`).toBeTruthy();
      expect(r[i + 1].ms, e.name).toBeLessThan(timeoutMs + 500);
    });
    expect(r.at(-1)!.result).toEqual({ score: 1 });
    expect(r[list.findIndex((e) => e.name === 'endless loop') + 1].error).toMatch(/within 1000 ms/);
    if (process.env.SBX_DEBUG) list.forEach((e, i) => console.log(e.name, JSON.stringify(r[i + 1])));
    // a heap bomb stops at the memory limit, or at the time limit when filling takes longer than that
    expect(r[list.findIndex((e) => e.name === 'heap bomb') + 1].error).toMatch(/memory limit of 64 MB|within 1000 ms/);
    // anything sent late (a font load, a beacon) would arrive within a moment
    await page.waitForTimeout(500);
    expect(requests).toEqual([]);
    // nothing was written to the browser's storage (the file system API once wrote 200 MB)
    expect((await usage()) - storedBefore).toBeLessThan(1024 * 1024);
    // the interpreter came from the app itself, bundled by Vite (no CDN)
    const origin = new URL(page.url()).origin;
    expect(wasm.some((u) => /emscripten-module-[\w-]+\.wasm$/.test(u))).toBe(true);
    for (const u of wasm) expect(u.startsWith(`${origin}/`), u).toBe(true);
  } finally {
    await new Promise<void>((r) => listener.close(() => r()));
  }
});

test('a link with custom reward code shows the code and asks first', async ({ page }) => {
  await openLab(page);
  const choice = callLab<string>(page, 'confirmCustomCode', ['return sample.completion.length < 50 ? 1 : 0;']);
  const dialog = page.getByTestId('custom-code-confirm');
  await expect(dialog).toContainText('return sample.completion.length < 50 ? 1 : 0;');
  // it says what the code can and cannot do
  const limits = dialog.getByTestId('custom-code-limits');
  await expect(limits).toContainText("cannot reach the network, this page, the browser's storage");
  await expect(limits).toContainText('64 MB unless set');
  await expect(limits).toContainText('timeout_ms');
  await expect(limits).toContainText('failure_score');
  await dialog.getByRole('button', { name: 'Open the link without it' }).click();
  expect(await choice).toBe('decline');
});
