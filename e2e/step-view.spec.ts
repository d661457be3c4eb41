// The Run tab's step view against the trainer's own numbers: after a one-step demo run, every question of
// the step shows its G answers; the advantages shown are recomputed here from the rewards shown, the way the
// run's config computes them (scale_rewards, advantage_estimator), and the step's rewards agree with the
// step's metrics (mean reward, share of zero-std groups); the question it opens on shows each answer's
// log-probability before and after the update. The page's progress speaks in words.
import { test, expect } from '@playwright/test';
import { configField, setField } from './config-form.ts';

let pageErrors: string[] = [];
test.beforeEach(async ({ page }) => {
  await page.route(/^https?:\/\/(?!localhost)/, (r) => r.abort());
  pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
});
test.afterEach(() => expect(pageErrors).toEqual([]));

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sampleStd = (xs: number[]) =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));

/** TRL's GRPO advantages of one group, with the std of the group, of the batch, or none. */
function advantages(group: number[], scale: string, batchStd: number): number[] {
  const m = mean(group),
    s = scale === 'group' ? sampleStd(group) : batchStd;
  return group.map((r) => (scale === 'none' ? r - m : (r - m) / (s + 1e-4)));
}

// scale_rewards batch: the std of the whole step, which only the step's other questions can check
for (const scale of ['batch']) {
  test(`the step view's advantages follow from its rewards (scale_rewards ${scale}) and match the step's metrics`, async ({
    page,
  }) => {
    test.setTimeout(300_000);
    await page.goto('/');
    await page.getByRole('tab', { name: 'Config' }).click();
    for (const [k, v] of [
      ['max_steps', '1'],
      ['eval_examples', '4'],
      ['eval_steps', '0'],
      ['save_steps', '0'],
    ])
      await setField(page, k, v);
    const sel = await configField(page, 'scale_rewards');
    await sel.selectOption(scale);
    await page.getByRole('tab', { name: 'Run' }).click();
    await expect(page.getByTestId('step-empty')).toBeVisible();
    await page.getByTestId('train').click();
    await expect(page.getByTestId('doing')).toContainText(
      /Measuring starting accuracy on 4 questions|Sampling 8 answers to each of 8 questions/,
      { timeout: 120_000 },
    );
    await expect(page.getByTestId('run-state')).toHaveText('done', { timeout: 240_000 });
    const view = page.getByTestId('step-view');
    await expect(view.getByTestId('step-number')).toHaveText('step 1');
    // the question it opens on is the one the trainer scored before and after the update: every answer shows
    // two log-probabilities (negative numbers) and which way the update moved it
    const lps = await view
      .getByTestId('row-logprob')
      .evaluateAll((cs) => cs.map((c) => [c.getAttribute('data-before'), c.getAttribute('data-after'), c.textContent]));
    expect(lps).toHaveLength(8);
    for (const [before, after, text] of lps) {
      expect(Number(before)).toBeLessThan(0);
      expect(Number(after)).toBeLessThan(0);
      expect(text).toMatch(/^\s*−?\d+\.\d\d → −?\d+\.\d\d\s*[▲▼], (up|down) \d+\.\d\d\s*$/);
      expect(text).toContain(Number(after) >= Number(before) ? '▲, up' : '▼, down');
      expect(text).toContain(Math.abs(Number(after) - Number(before)).toFixed(2));
    }
    const options = await view.getByTestId('step-prompt').locator('option').count();
    expect(options).toBe(8);
    const groups: { rewards: number[]; shown: number[]; mean: number; std: number }[] = [];
    for (let i = 0; i < options; i++) {
      await view.getByTestId('step-prompt').selectOption(String(i));
      const rows = view.getByTestId('step-row');
      await expect(rows).toHaveCount(8);
      const rewards = (await rows.evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-reward'))))).map(
        Number,
      );
      const shown = await rows.evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-advantage'))));
      groups.push({
        rewards,
        shown,
        mean: Number(await view.getByTestId('group-mean').textContent()),
        std: Number(await view.getByTestId('group-std').textContent()),
      });
    }
    const batchStd = sampleStd(groups.flatMap((g) => g.rewards));
    for (const g of groups) {
      expect(g.mean).toBeCloseTo(mean(g.rewards), 3);
      expect(g.std).toBeCloseTo(sampleStd(g.rewards), 3);
      const want = advantages(g.rewards, scale, batchStd);
      g.shown.forEach((a, j) => expect(a).toBeCloseTo(want[j], 4));
    }
    // the step's own metrics: mean reward over all its completions, and the share of groups with one reward
    const reward = Number(await page.getByTestId('last-reward').textContent());
    expect(reward).toBeCloseTo(mean(groups.flatMap((g) => g.rewards)), 2);
    const zero = groups.filter((g) => g.rewards.every((r) => r === g.rewards[0])).length / groups.length;
    expect(Number(await page.getByTestId('last-frac_reward_zero_std').textContent())).toBeCloseTo(zero, 2);
    // the bars are signed: a positive advantage's bar starts at the centre and goes right
    const first = view.getByTestId('step-row').first();
    expect(await first.locator('.bar span').getAttribute('class')).toMatch(
      Number(await first.getAttribute('data-advantage')) >= 0 ? /pos/ : /neg/,
    );
  });
}
