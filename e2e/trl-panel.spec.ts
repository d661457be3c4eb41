// The Config tab's TRL panel as a user drives it: a pasted TRL YAML with a typo is refused with the nearest
// TRL name and the form kept; corrected (an unsupported field left in), it fills the form with a table of
// every field's fate (mapped, changed meaning, not supported); the form then goes out as TRL's YAML with
// the mapped values. Elements are found by role and label (form fields by their config path), not by layout.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import { parse } from 'yaml';
import { configField } from './config-form.ts';

test.beforeEach(async ({ page }) => {
  await page.route(/^https?:\/\/(?!localhost)/, (r) => r.abort());
});

const YAML = `model_name_or_path: demo
learning_rate: 2.0e-5
lr_scheduler_type: cosine
warmup_ratio: 0.1
per_device_train_batch_size: 4
gradient_accumulation_steps: 2
num_generations: 4
max_steps: 40
num_iterations: 2
beta: 0.02
loss_type: grpo
use_vllm: true
report_to: wandb
`;

test('paste a TRL YAML: the typo is refused with its suggestion, the rest maps into the form and back out', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await page.getByRole('tab', { name: 'Config' }).click();
  const maxSteps = await configField(page, 'run.max_steps');
  const before = await maxSteps.inputValue();
  await page.getByText('TRL: import a TRL config, export to TRL').click();
  const text = page.getByLabel(/^TRL config/);
  const importButton = page.getByRole('button', { name: 'Import into the form' });

  await text.fill(`${YAML}betaa: 0.1\n`);
  await importButton.click();
  const problems = page.getByTestId('trl-panel').getByRole('alert');
  await expect(problems).toContainText("betaa: not a field of TRL's GRPOConfig");
  await expect(problems).toContainText('did you mean beta?');
  await expect(page.getByTestId('trl-panel').getByRole('table')).toHaveCount(0);
  await expect(maxSteps).toHaveValue(before); // the form is kept

  await text.fill(YAML);
  await importButton.click();
  await expect(problems).toHaveCount(0);
  const table = page.getByTestId('trl-panel').getByRole('table');
  const row = (field: string) =>
    table.getByRole('row').filter({ has: page.getByRole('cell', { name: field, exact: true }) });
  await expect(row('learning_rate')).toContainText('mapped');
  await expect(row('learning_rate')).toContainText('optim.learning_rate');
  await expect(row('max_steps')).toContainText('changed');
  await expect(row('max_steps')).toContainText('40 updates / 2 per step');
  await expect(row('use_vllm')).toContainText('unsupported');
  await expect(row('use_vllm')).toContainText("webgrpo's own KV-cache sampler");
  await expect(row('report_to')).toContainText('unsupported');
  // every field of the file has its row
  for (const k of YAML.trim()
    .split('\n')
    .map((l) => l.split(':')[0]))
    await expect(row(k)).toHaveCount(1);
  await expect(maxSteps).toHaveValue('20');
  for (const [path, value] of [
    ['optim.learning_rate', '0.00002'],
    ['grpo.num_iterations', '2'],
    ['grpo.beta', '0.02'],
    ['run.micro_batch_size', '4'],
    ['run.prompts_per_step', '2'],
  ])
    await expect(await configField(page, path), path).toHaveValue(value);

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download as TRL YAML' }).click();
  const out = parse(fs.readFileSync((await (await download).path())!, 'utf8')) as Record<string, unknown>;
  expect(out).toMatchObject({
    model_name_or_path: 'demo',
    learning_rate: 2e-5,
    lr_scheduler_type: 'cosine',
    warmup_ratio: 0.1,
    per_device_train_batch_size: 4,
    gradient_accumulation_steps: 2,
    generation_batch_size: 8,
    num_generations: 4,
    num_iterations: 2,
    max_steps: 40,
    beta: 0.02,
    loss_type: 'grpo',
  });
  expect(out).not.toHaveProperty('use_vllm');
  expect(errors).toEqual([]);
});
