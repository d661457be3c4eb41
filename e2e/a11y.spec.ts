// Accessibility, checked by axe-core (WCAG 2 A and AA rules: contrast, names of controls, roles) on every
// tab in both colour schemes, on a desktop (1440x900) and a phone (390x844), plus presenter mode at
// 1280x720; on the phone no screen is wider than the viewport. No training: the screens as they open.
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { openDemo, watchPage } from './demo-run.ts';
import { encodeLink } from '../src/engine/link.ts';
import { parseRunConfig } from '../src/engine/config.ts';

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
          // touch targets: every visible button, menu, field and disclosure is at least 44 px tall
          const small = await page.evaluate(() =>
            [...document.querySelectorAll<HTMLElement>('button, select, summary, input, textarea')]
              .filter((e) => !['checkbox', 'radio', 'range', 'file', 'hidden'].includes((e as HTMLInputElement).type))
              .filter((e) => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
              .filter((e) => e.getBoundingClientRect().height < 43.5)
              .map((e) => `${e.tagName} ${e.textContent?.trim().slice(0, 30) || e.getAttribute('aria-label') || ''}`),
          );
          expect(small, `${tab}: controls under 44 px`).toEqual([]);
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

test('a dialog takes the focus, keeps it, closes on Escape and gives the focus back', async ({ page }) => {
  await page.goto('/');
  const opener = page.getByTestId('copy-link');
  // a link carrying reward code asks first, in a modal dialog
  const cfg = { rewards: [{ name: 'custom', weight: 1, options: { code: 'return 1;' } }] };
  const link = await encodeLink(parseRunConfig(cfg), 'http://localhost/');
  await opener.focus();
  await page.evaluate((h) => (location.hash = h), link.slice(link.indexOf('#')));
  const dialog = page.getByTestId('custom-code-confirm');
  await expect(dialog).toBeInViewport();
  // the safe choice has the focus, and Tab stays inside the dialog
  await expect(dialog.getByRole('button', { name: 'Open the link without it' })).toBeFocused();
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Tab');
    const inside = await page.evaluate(
      () => !!document.activeElement?.closest('dialog') || document.activeElement === document.body,
    );
    expect(inside).toBe(true);
  }
  expect(await violations(page)).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(opener).toBeFocused();
});
