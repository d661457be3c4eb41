// The Data screen in the app: the selected dataset's preview is there on arrival; an upload whose rows
// lack the mapped columns is caught before Train (the Run tab refuses, naming the rows, until they are
// dropped, with a count); an empty file gets a sentence that says what to upload instead.
import { test, expect } from '@playwright/test';
import { watchPage } from './demo-run.ts';

watchPage(test);

test('preview on arrival, rows without the mapped columns dropped before Train, an empty file explained', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('tab', { name: 'Data and reward' }).click();
  // the demo's dataset is already selected: its rows show without clicking it again
  await expect(page.getByTestId('dataset-status')).toContainText('demo-arithmetic');
  await expect(page.getByTestId('preview').locator('tbody tr')).toHaveCount(5);

  const jsonl = [
    { question: 'What is 2 + 3?', answer: '5' },
    { question: 'What is 4 + 4?' },
    { prompt: 'What is 9 - 1?', answer: '8' },
    { question: 'What is 7 - 2?', answer: '5' },
  ]
    .map((r) => JSON.stringify(r))
    .join('\n');
  const upload = page.getByTestId('upload');
  await upload.setInputFiles({ name: 'gaps.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(jsonl) });
  await expect(page.getByTestId('dataset-status')).toHaveText('gaps.jsonl: 4 rows');
  const missing = page.getByTestId('rows-missing-fields');
  await expect(missing).toContainText('2 of 4 rows of gaps.jsonl have no "question" or no "answer"');
  // Train is refused while they are there, and the problem leads back here
  await page.getByRole('tab', { name: 'Run' }).click();
  await expect(page.getByTestId('train')).toBeDisabled();
  await expect(page.getByTestId('run-problems')).toContainText('2 of 4 rows of gaps.jsonl');
  await page.getByTestId('run-problems').getByRole('button', { name: 'data.rows' }).click();
  await expect(page.getByRole('tab', { name: 'Data and reward' })).toHaveAttribute('aria-selected', 'true');
  // still the upload on coming back, with its problem
  await expect(page.getByTestId('dataset-status')).toHaveText('gaps.jsonl: 4 rows');
  await page.getByTestId('drop-incomplete').click();
  await expect(page.getByTestId('dataset-status')).toHaveText('gaps.jsonl: 2 rows');
  await expect(missing).toHaveCount(0);
  await page.getByRole('tab', { name: 'Run' }).click();
  await expect(page.getByTestId('run-problems')).toHaveCount(0);
  await expect(page.getByTestId('train')).toBeEnabled();

  await page.getByRole('tab', { name: 'Data and reward' }).click();
  await upload.setInputFiles({ name: 'empty.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from('') });
  const problem = page.getByTestId('dataset-picker').getByRole('alert');
  await expect(problem).toHaveText(/^"empty\.jsonl" is empty: it has no rows\. Upload a file with one JSON object/);
  await expect(problem).not.toContainText('Error');
});
