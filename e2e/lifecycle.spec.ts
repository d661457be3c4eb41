// A run is never lost or confused, in the app as a user drives it (demo model, 3 steps): a double-clicked
// Train starts one run; an imported adapter is evaluated beside a paused run and leaves it paused; after
// a reload the saved run is on screen with its whole history and exports without resuming; the browser's
// database lost, the run comes back from its file-system copy; resumed, it keeps its history from step
// 0; a new run over one on screen asks first; a run that cannot fit is refused naming the field.
import { test, expect, type Page } from '@playwright/test';
import fs from 'node:fs';
import { setField } from './config-form.ts';
import { openDemo, SHORT_RUN, watchPage } from './demo-run.ts';

watchPage(test);

async function download(page: Page, testId: string): Promise<Buffer> {
  const d = page.waitForEvent('download');
  await page.getByTestId(testId).click();
  return fs.readFileSync((await (await d).path())!);
}

const jsonlSteps = (b: Buffer) =>
  b
    .toString()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).step);

test('double-click Train, evaluate beside a paused run, reload and export, lost database, resume from step 0', async ({
  page,
}) => {
  test.setTimeout(900_000);
  await openDemo(page, SHORT_RUN);
  await page.getByRole('tab', { name: 'Run' }).click();
  const train = page.getByTestId('train');
  await train.dblclick();
  await expect(train).toBeDisabled();
  await expect(page.getByTestId('step')).toHaveText('step 1/3', { timeout: 400_000 });
  await page.getByTestId('pause').click();
  await expect(page.getByTestId('run-state')).toHaveText('paused', { timeout: 120_000 });
  await expect(page.getByTestId('run-error')).toHaveCount(0);
  const pausedAt = Number((await page.getByTestId('step').textContent())!.match(/step (\d+)/)![1]);

  // an imported adapter (this run's own, as a PEFT zip) is evaluated beside the paused run
  await page.getByRole('tab', { name: 'Checkpoints' }).click();
  await expect(page.getByTestId('checkpoints').locator('tbody tr')).toHaveCount(1); // one run, not two
  const zip = await download(page, 'export-adapter');
  expect(zip.subarray(0, 2).toString()).toBe('PK');
  await page
    .getByTestId('import-adapter')
    .setInputFiles({ name: 'mine.zip', mimeType: 'application/zip', buffer: zip });
  await expect(page.getByTestId('notice')).toContainText('mine.zip: accuracy', { timeout: 300_000 });
  await page.getByRole('tab', { name: 'Run' }).click();
  await expect(page.getByTestId('run-state')).toHaveText('paused');
  await expect(page.getByTestId('step')).toHaveText(`step ${pausedAt}/3`);

  // a reload: the saved run is on screen, with its history, and exports without resuming
  await page.reload();
  await page.getByRole('tab', { name: 'Run' }).click();
  await expect(page.getByTestId('run-saved')).toContainText(`step ${pausedAt} of 3`, { timeout: 60_000 });
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-points', String(pausedAt));
  await expect(page.getByTestId('chart-accuracy')).toHaveAttribute('data-first-step', '0');
  await page.getByRole('tab', { name: 'Checkpoints' }).click();
  expect(jsonlSteps(await download(page, 'export-jsonl'))).toEqual([...Array(pausedAt)].map((_, i) => i + 1));
  expect((await download(page, 'export-adapter')).subarray(0, 2).toString()).toBe('PK');
  await expect(page.locator('nav .state')).toHaveText('run: idle'); // nothing was resumed to export
  const runId = (await page.getByTestId('checkpoints').locator('tbody td').first().textContent())!.trim();

  // the browser drops the run's database: the copy in the Origin Private File System brings it back
  await page.goto('/lab.html');
  await page.evaluate(async () => {
    for (const d of await indexedDB.databases())
      if (d.name?.startsWith('webgrpo-run-'))
        await new Promise((r) => Object.assign(indexedDB.deleteDatabase(d.name!), { onsuccess: r, onerror: r }));
  });
  await page.goto('/');
  await page.getByRole('tab', { name: 'Checkpoints' }).click();
  await expect(page.getByTestId(`run-problem-${runId}`)).toContainText('recovered from the second copy', {
    timeout: 60_000,
  });

  // resumed, it continues with its history from step 1 and its evaluations from step 0
  await page.getByRole('button', { name: `Resume ${runId}` }).click();
  await page.getByRole('tab', { name: 'Run' }).click();
  await expect(page.getByTestId('run-state')).toHaveText(/^(done|error)$/, { timeout: 400_000 });
  expect(
    await page.getByTestId('run-state').textContent(),
    await page.getByTestId('run-error').allTextContents().then(String),
  ).toBe('done');
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-points', '3');
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-first-step', '1');
  await expect(page.getByTestId('chart-accuracy')).toHaveAttribute('data-points', '2');
  await expect(page.getByTestId('chart-accuracy')).toHaveAttribute('data-first-step', '0');
  await page.getByRole('tab', { name: 'Checkpoints' }).click();
  expect(jsonlSteps(await download(page, 'export-jsonl'))).toEqual([1, 2, 3]);

  // Train over a finished run asks first, and the old run stays
  await page.getByRole('tab', { name: 'Run' }).click();
  await page.getByTestId('train').click();
  await expect(page.getByTestId('confirm-new-run')).toContainText(`${runId}, step 3 of 3, finished`);
  await page.getByRole('button', { name: 'Keep it' }).click();
  await expect(page.getByTestId('confirm-new-run')).toHaveCount(0);
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-points', '3');
});

test('a run that cannot fit is refused before it starts, naming the field, with a link to it', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('tab', { name: 'Config' }).click();
  await setField(page, 'max_completion_length', '30000');
  await page.getByRole('tab', { name: 'Run' }).click();
  const problems = page.getByTestId('run-problems');
  await expect(problems).toContainText(
    /sampling\.max_completion_length: .*lower max_completion_length by \d+ to at most \d+/,
  );
  await expect(page.getByTestId('train')).toBeDisabled();
  await problems.getByRole('button', { name: 'sampling.max_completion_length' }).click();
  await expect(page.locator('#f-sampling-max_completion_length')).toBeFocused();
  await setField(page, 'max_completion_length', '1000000');
  await page.getByRole('tab', { name: 'Run' }).click();
  await expect(problems).toContainText('sampling.max_completion_length');
  await expect(problems).toContainText('32768');
  await expect(page.getByTestId('train')).toBeDisabled();
});

test('runs saved in the one shared database of earlier versions are moved into their own, and a damaged one is named', async ({
  page,
}) => {
  await page.goto('/lab.html');
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('webgrpo');
      r.onupgradeneeded = () => r.result.createObjectStore('checkpoints');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const tx = db.transaction('checkpoints', 'readwrite');
    tx.objectStore('checkpoints').put(new TextEncoder().encode('{"runId": "old1", "checkp'), 'run/old1');
    tx.objectStore('checkpoints').put(new Uint8Array([1, 2, 3]), 'ckpt/old1/00000004-abc');
    await new Promise((r) => (tx.oncomplete = r));
    db.close();
  });
  await page.goto('/');
  await page.getByRole('tab', { name: 'Checkpoints' }).click();
  await expect(page.getByTestId('run-problem-old1')).toContainText('not valid JSON', { timeout: 60_000 });
  await expect(page.getByTestId('run-problem-old1')).toContainText('nothing of it can be read: delete it');
  const names = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  expect(names).toContain('webgrpo-run-old1');
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete old1' }).click();
  await expect(page.getByTestId('run-problem-old1')).toHaveCount(0);
});
