// A run is never lost or confused, in the app as a user drives it (demo model, 4 steps): a double-clicked
// Train starts one run; an imported adapter is evaluated beside a paused run and leaves it paused; after
// a reload the saved run is on screen with its whole history and exports without resuming; damaged
// storage (a run's database lost, another's index record corrupt and its newest checkpoint truncated)
// costs only what was damaged, each run listed with what happened, exported and resumed; resumed, a run
// keeps its history from step 0; a finished run reopens after a reload and exports; a new run over one on
// screen asks first and the old runs stay; a run that cannot fit is refused naming the field.
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

/** Lines of a download that are not empty. */
const lines = (b: Buffer) => b.toString().trim().split('\n').filter(Boolean);

/** The four exports of the run on screen (Checkpoints tab): the metrics' steps, and checks of the others. */
async function exportAll(page: Page, steps: number) {
  expect((await download(page, 'export-adapter')).subarray(0, 2).toString()).toBe('PK');
  expect(lines(await download(page, 'export-csv'))).toHaveLength(steps + 1); // a header and a row per step
  expect(lines(await download(page, 'export-completions')).length).toBeGreaterThan(0);
  return jsonlSteps(await download(page, 'export-jsonl'));
}

const upTo = (n: number) => [...Array(n)].map((_, i) => i + 1);

/**
 * On the lab page (no app holding the databases): copies run `a`'s checkpoints into a run `b` whose index
 * record is not JSON and whose newest checkpoint is cut in half, then deletes run `a`'s database (its
 * copy in the Origin Private File System is left). Returns how many checkpoints were copied.
 */
async function damageStorage(page: Page, a: string, b: string): Promise<number> {
  await page.goto('/lab.html');
  return page.evaluate(
    async ({ a, b }) => {
      const req = <T>(r: IDBRequest<T>) =>
        new Promise<T>((resolve, reject) => Object.assign(r, { onsuccess: () => resolve(r.result), onerror: reject }));
      const open = (name: string) => {
        const r = indexedDB.open(name);
        r.onupgradeneeded = () => r.result.createObjectStore('checkpoints');
        return req(r);
      };
      const src = await open(`webgrpo-run-${a}`);
      const store = () => src.transaction('checkpoints').objectStore('checkpoints');
      const keys = ((await req(store().getAllKeys())) as string[]).filter((k) => k.startsWith('ckpt/')).sort();
      const blobs = await Promise.all(keys.map((k) => req(store().get(k)) as Promise<Uint8Array>));
      src.close();
      const dst = await open(`webgrpo-run-${b}`);
      const tx = dst.transaction('checkpoints', 'readwrite');
      tx.objectStore('checkpoints').put(new TextEncoder().encode(`{"runId": "${b}", "checkpoints": [{"ke`), 'run');
      keys.forEach((k, i) => {
        const bytes = i === keys.length - 1 ? blobs[i].slice(0, blobs[i].length >> 1) : blobs[i];
        tx.objectStore('checkpoints').put(bytes, k.replace(a, b));
      });
      await new Promise((r) => (tx.oncomplete = r));
      dst.close();
      await req(indexedDB.deleteDatabase(`webgrpo-run-${a}`));
      return keys.length;
    },
    { a, b },
  );
}

test('double-click Train, evaluate beside a paused run, reload and export, damaged storage, resume from step 0', async ({
  page,
}) => {
  test.setTimeout(900_000);
  await openDemo(page, { ...SHORT_RUN, run: { ...SHORT_RUN.run, max_steps: 4 } });
  await page.getByRole('tab', { name: 'Run' }).click();
  const train = page.getByTestId('train');
  await train.dblclick();
  await expect(train).toBeDisabled();
  await expect(page.getByTestId('step')).toHaveText('step 2/4', { timeout: 400_000 });
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
  await expect(page.getByTestId('step')).toHaveText(`step ${pausedAt}/4`);

  // a reload: the saved run is on screen, with its history, and exports without resuming
  await page.reload();
  await page.getByRole('tab', { name: 'Run' }).click();
  await expect(page.getByTestId('run-saved')).toContainText(`step ${pausedAt} of 4`, { timeout: 60_000 });
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-points', String(pausedAt));
  await expect(page.getByTestId('chart-accuracy')).toHaveAttribute('data-first-step', '0');
  await page.getByRole('tab', { name: 'Checkpoints' }).click();
  expect(await exportAll(page, pausedAt)).toEqual(upTo(pausedAt));
  await expect(page.locator('nav .state')).toHaveText('run: idle'); // nothing was resumed to export
  const runId = (await page.getByTestId('checkpoints').locator('tbody td').first().textContent())!.trim();

  // damaged storage: run A's database is lost (its copy in the Origin Private File System survives), and
  // a run B has a corrupt index record and a truncated newest checkpoint; both are listed, each saying so
  const damaged = '20000101000000-dmgd';
  expect(await damageStorage(page, runId, damaged)).toBe(pausedAt);
  await page.goto('/');
  await page.getByRole('tab', { name: 'Checkpoints' }).click();
  await expect(page.getByTestId(`run-problem-${runId}`)).toContainText('recovered from the second copy', {
    timeout: 60_000,
  });
  const bad = page.getByTestId(`run-problem-${damaged}`);
  await expect(bad).toContainText(`the index record of run ${damaged} is not valid JSON`);
  await expect(bad).toContainText(`listed again from its ${pausedAt - 1} intact checkpoint`);
  await expect(page.getByTestId('shown-run')).toBeVisible(); // the newest run, shown as the app opens
  const openDamaged = page.getByRole('button', { name: `Open ${damaged}` });
  if (await openDamaged.isEnabled()) await openDamaged.click();
  await expect(page.getByTestId('shown-run')).toContainText(`${damaged}: step ${pausedAt - 1} of 4 (saved)`);
  await expect(page.getByTestId('notice')).toContainText(`step ${pausedAt} (checkpoint checksum mismatch`);
  expect(await exportAll(page, pausedAt - 1)).toEqual(upTo(pausedAt - 1));
  await page.getByRole('button', { name: `Open ${runId}` }).click();
  await expect(page.getByTestId('shown-run')).toContainText(`${runId}: step ${pausedAt} of 4 (saved)`);
  expect(await exportAll(page, pausedAt)).toEqual(upTo(pausedAt)); // from the file-system copy
  await expect(page.locator('nav .state')).toHaveText('run: idle');

  // run B resumed: the truncated checkpoint passed over is said, and it continues from the one before
  await page.getByRole('button', { name: `Resume ${damaged}` }).click();
  await page.getByRole('tab', { name: 'Run' }).click();
  await expect(page.getByTestId('run-notice')).toContainText(
    `resumed from the checkpoint of step ${pausedAt - 1}: the newer checkpoint of step ${pausedAt} (checkpoint checksum mismatch`,
    { timeout: 120_000 },
  );
  await expect(page.getByTestId('run-state')).toHaveText('running');
  await page.getByTestId('stop').click();
  await expect(page.getByTestId('run-state')).toHaveText(/^(done|error)$/, { timeout: 400_000 });
  await expect(page.getByTestId('run-error')).toHaveCount(0);
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-points', String(pausedAt));
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-first-step', '1');
  // stopped before its end: said so, with the way to continue
  await expect(page.getByTestId('run-saved')).toContainText(`Run ${damaged}: stopped at step ${pausedAt} of 4`);
  await expect(page.getByTestId('resume-saved')).toBeEnabled();

  // run A resumed from its file-system copy: it continues with its history from step 1 and its
  // evaluations from step 0
  await page.getByRole('tab', { name: 'Checkpoints' }).click();
  await page.getByRole('button', { name: `Resume ${runId}` }).click();
  await page.getByRole('tab', { name: 'Run' }).click();
  await expect(page.getByTestId('run-state')).toHaveText(/^(done|error)$/, { timeout: 400_000 });
  expect(
    await page.getByTestId('run-state').textContent(),
    await page.getByTestId('run-error').allTextContents().then(String),
  ).toBe('done');
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-points', '4');
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-first-step', '1');
  await expect(page.getByTestId('chart-accuracy')).toHaveAttribute('data-points', '2');
  await expect(page.getByTestId('chart-accuracy')).toHaveAttribute('data-first-step', '0');

  // a reload: the finished run is on screen and every export works without resuming it
  await page.reload();
  await page.getByRole('tab', { name: 'Run' }).click();
  await expect(page.getByTestId('run-saved')).toContainText(`${runId}: step 4 of 4, finished`, { timeout: 60_000 });
  await expect(page.getByTestId('chart-accuracy')).toHaveAttribute('data-points', '2');
  await page.getByRole('tab', { name: 'Checkpoints' }).click();
  expect(await exportAll(page, 4)).toEqual(upTo(4));
  await expect(page.locator('nav .state')).toHaveText('run: idle');

  // Train over a finished run asks first; kept, nothing changes; confirmed, the old runs stay in the list
  await page.getByRole('tab', { name: 'Run' }).click();
  await page.getByTestId('train').click();
  await expect(page.getByTestId('confirm-new-run')).toContainText(`${runId}, step 4 of 4, finished`);
  await page.getByRole('button', { name: 'Keep it' }).click();
  await expect(page.getByTestId('confirm-new-run')).toHaveCount(0);
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-points', '4');
  await page.getByTestId('train').click();
  await page.getByTestId('confirm-train').click();
  await expect(page.getByTestId('run-state')).toHaveText('running', { timeout: 120_000 });
  await page.getByRole('tab', { name: 'Checkpoints' }).click();
  for (const id of [runId, damaged])
    await expect(page.getByRole('button', { name: `Open ${id}` })).toBeEnabled({ timeout: 60_000 });
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
  // too many completions at once: the most num_generations that fits, named with the field's link
  await page.getByRole('tab', { name: 'Config' }).click();
  await setField(page, 'max_completion_length', '32');
  await setField(page, 'prompts_per_step', '1024');
  await setField(page, 'num_generations', '256');
  await page.getByRole('tab', { name: 'Run' }).click();
  await expect(problems).toContainText(
    /sampling\.num_generations: .*KV cache.*lower num_generations by \d+ to at most \d+/,
  );
  await expect(page.getByTestId('train')).toBeDisabled();
  await problems.getByRole('button', { name: 'sampling.num_generations' }).click();
  await expect(page.locator('#f-sampling-num_generations')).toBeFocused();
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
