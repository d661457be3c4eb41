// Helpers for specs that drive the Config tab: a field by its config path ("run.max_steps") or its last key
// ("max_steps"), with its Advanced section opened first so that it can be filled.
import type { Locator, Page } from '@playwright/test';

export async function configField(page: Page, key: string): Promise<Locator> {
  const form = page.getByTestId('config-form');
  const sel = key.includes('.') ? `[data-field="${key}"]` : `[data-field$=".${key}"]`;
  await form
    .locator(`details:has(${sel})`)
    .evaluateAll((ds) => ds.forEach((d) => ((d as HTMLDetailsElement).open = true)));
  return form.locator(sel);
}

export async function setField(page: Page, key: string, value: string): Promise<void> {
  const f = await configField(page, key);
  await f.fill(value);
  await f.dispatchEvent('change');
}
