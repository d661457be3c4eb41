// The headline journey in the app, up to a loaded model: the Hub endpoint set to a local Hub serving a model of
// Qwen2.5-0.5B-Instruct's exact shape (random bf16 weights, Qwen's real tokenizer); Qwen/Qwen2.5-0.5B-Instruct
// chosen in the Model tab; the memory estimate; the download with a bar per file; a GSM8K prompt rendered with
// the chat template and tokenised in the page to Qwen's ids. (Training it is e2e/qwen-hub.spec.ts, from the
// command line.) About 6 GB of memory in software WebGPU: run one such test at a time.
import { test, expect } from '@playwright/test';
import { fakeHub } from '../tests/hub/hub-fixture.ts';
import { serveHub } from '../tests/hub/hub-server.ts';
import { QWEN25_DEFAULT_SYSTEM, QWEN_ID, qwenShapedModel } from '../tests/hub/qwen-shape.ts';
import { callLab, openLab } from './lab.ts';
import fs from 'node:fs';

const gsm8k = JSON.parse(fs.readFileSync('src/data/bundled/gsm8k-sample.json', 'utf8')) as {
  train: { question: string }[];
};

// Full size is opt-in: on a 2-core machine without a GPU one such run takes far longer than the whole suite.
test.skip(!process.env.WEBGRPO_FULL_SIZE, 'set WEBGRPO_FULL_SIZE=1 to run the full-size (0.5B) journey');

let server: Awaited<ReturnType<typeof serveHub>>;
const hub = fakeHub();
test.beforeAll(async () => {
  hub.publish(QWEN_ID, qwenShapedModel());
  server = await serveHub(hub, 4215);
});
test.afterAll(() => server.close());

test('Model tab: a local Hub endpoint, the 0.5B model estimated, downloaded with a bar per file, and loaded', async ({
  page,
}) => {
  test.setTimeout(1_200_000);
  await page.goto('/');
  await page.getByText('Hub settings').click();
  await page.getByTestId('hub-endpoint').fill(server.url);
  await page.getByTestId('hub-endpoint').dispatchEvent('change');
  await page.getByTestId('model-id').fill(QWEN_ID);
  await expect(page.getByTestId('memory')).toContainText('for 494');
  await page.getByTestId('load-model').click();
  const downloads = page.getByTestId('downloads');
  await expect(downloads).toContainText('model-00001-of-00002.safetensors', { timeout: 120_000 });
  await expect(downloads).toContainText('model-00002-of-00002.safetensors', { timeout: 600_000 });
  await expect(page.getByTestId('model-loaded')).toContainText('qwen2, 24 layers, hidden 896', { timeout: 900_000 });
  const files = hub.requests.map((r) => new URL(r.url).pathname).filter((p) => p.includes('/resolve/'));
  expect(files.every((p) => p.startsWith(`/${QWEN_ID}/resolve/${hub.repos.get(QWEN_ID)!.refs.get('main')}/`))).toBe(
    true,
  );
});

test("a GSM8K prompt in the chat template tokenises in the page to Qwen's ids", async ({ page }) => {
  await openLab(page);
  const r = await callLab<{ commit: string; prompt: string; ids: number[]; texts: number[][] }>(
    page,
    'hubChatIds',
    server.url,
    QWEN_ID,
    [{ role: 'user', content: gsm8k.train[0].question }],
    ['Hello world'],
  );
  expect(r.commit).toBe(hub.repos.get(QWEN_ID)!.refs.get('main'));
  expect(r.prompt.startsWith(`<|im_start|>system\n${QWEN25_DEFAULT_SYSTEM}<|im_end|>\n<|im_start|>user\n`)).toBe(true);
  expect(r.ids.slice(0, 3)).toEqual([151644, 8948, 198]); // <|im_start|> system \n
  expect(r.ids.filter((i) => i === 151645)).toHaveLength(2); // <|im_end|> after the system and user turns
  expect(r.ids.slice(-3)).toEqual([151644, 77091, 198]); // <|im_start|> assistant \n
  expect(r.texts[0]).toEqual([9707, 1879]);
});
