// Presenter mode as a teacher uses it: a link with ?present=1 opens the demo in large type with only the
// step view and the reward and accuracy charts; a short demo run fills them and the whole picture fits a
// 1280x720 projector without scrolling, and the run ends without a health warning; the header's toggle
// leaves presenter mode and the address follows it.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import { openDemo, watchPage } from './demo-run.ts';

watchPage(test);
test.use({ viewport: { width: 1280, height: 720 } });

test('the demo in presenter mode: step, reward and accuracy at 1280x720 without scrolling, no warning at the end', async ({
  page,
}) => {
  // the whole demo preset (30 steps, about 90 s on a desktop CPU): its end is what a class sees
  test.setTimeout(900_000);
  await openDemo(page, {}, { present: true });
  await expect(page.locator('html')).toHaveClass(/present/);
  await expect(page.getByRole('tablist')).toHaveCount(0);
  await expect(page.getByTestId('diagnostics')).toHaveCount(0);
  await expect(page.getByTestId('present-toggle')).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-state')).toHaveText(/^(done|error)$/, { timeout: 800_000 });
  expect(
    await page.getByTestId('run-state').textContent(),
    String(await page.getByTestId('run-error').allTextContents()),
  ).toBe('done');
  await expect(page.getByTestId('step-row')).toHaveCount(8);
  await expect(page.getByTestId('chart-reward')).toHaveAttribute('data-points', '30');
  await expect(page.getByTestId('chart-accuracy')).toHaveAttribute('data-points', '3');
  await expect(page.locator('[data-testid^="alert-"]')).toHaveCount(0); // the demo ends without a warning
  // nothing below the fold or to the side: the projector shows all of it
  const size = await page.evaluate(() => ({
    w: document.documentElement.scrollWidth,
    h: document.documentElement.scrollHeight,
  }));
  expect(size.w).toBeLessThanOrEqual(1280);
  expect(size.h).toBeLessThanOrEqual(720);
  for (const id of ['step-view', 'chart-reward', 'chart-accuracy']) {
    const box = (await page.getByTestId(id).boundingBox())!;
    expect(box.y + box.height, id).toBeLessThanOrEqual(720);
  }
  // large type: the step's answers are bigger than the page's usual 0.85rem of 16 px
  const answerPx = await page
    .getByTestId('step-row')
    .first()
    .evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
  expect(answerPx).toBeGreaterThanOrEqual(16);
  fs.mkdirSync('test-results/screens', { recursive: true });
  await page.screenshot({ path: 'test-results/screens/presenter-1280x720.png' });
  // the toggle leaves presenter mode, and the address no longer asks for it
  await page.getByTestId('present-toggle').click();
  await expect(page.getByRole('tablist')).toBeVisible();
  expect(page.url()).not.toContain('present=1');
  await page.getByTestId('present-toggle').click();
  expect(page.url()).toContain('present=1');
});
