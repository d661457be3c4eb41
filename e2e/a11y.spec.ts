// Accessibility, checked by axe-core (WCAG 2 A and AA rules: contrast, names of controls, roles) on every
// tab in both colour schemes, on a desktop (1440x900) and a phone (390x844), plus presenter mode at
// 1280x720; on the phone no screen is wider than the viewport. No training: the screens as they open.
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { openDemo, watchPage } from './demo-run.ts';

watchPage(test);

const TABS = ['Model', 'Data and reward', 'Config', 'Run', 'Samples', 'Evaluation', 'Checkpoints'];
const SIZES = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];

async function violations(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  return r.violations.map(
    (v) => `${v.id}: ${v.help}\n${v.nodes.map((n) => `   ${n.target.join(' ')}: ${n.failureSummary}`).join('\n')}`,
  );
}

for (const scheme of ['light', 'dark'] as const)
  for (const size of SIZES)
    test(`every tab passes axe (wcag2a, wcag2aa) in the ${scheme} scheme on a ${size.name}`, async ({ page }) => {
      test.setTimeout(300_000);
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize(size);
      await page.goto('/');
      const found: string[] = [];
      for (const tab of TABS) {
        await page.getByRole('tab', { name: tab }).click();
        await expect(page.getByRole('tab', { name: tab })).toHaveAttribute('aria-selected', 'true');
        if (tab === 'Data and reward') await expect(page.getByTestId('preview')).toBeVisible({ timeout: 30_000 });
        found.push(...(await violations(page)).map((v) => `${tab}: ${v}`));
        if (size.name === 'phone') {
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          expect(width, `${tab} is wider than the phone`).toBeLessThanOrEqual(size.width);
        }
      }
      expect(found).toEqual([]);
    });

test('presenter mode passes axe at 1280x720 in both schemes', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await openDemo(page, {}, { present: true });
    await expect(page.getByTestId('step-view')).toBeVisible();
    expect(await violations(page)).toEqual([]);
  }
});
