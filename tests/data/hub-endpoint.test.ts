// Hub datasets follow the Hub settings of models: the endpoint (HF_ENDPOINT, the Model tab's setting, with
// or without a trailing slash) for the Parquet listing, and the access token, sent to the endpoint only.
import { describe, it, expect } from 'vitest';
import { loadHubSplit, HubDatasetError } from '../../src/data/hub.ts';
import { rowsParquet } from '../../src/data/export-rows.ts';

const ENDPOINT = 'http://127.0.0.1:4999';

/** A Hub that lists two Parquet files, one on the endpoint and one elsewhere, and records each request. */
function mockHub(o: { gated?: boolean } = {}) {
  const seen: { url: string; auth: string | null }[] = [];
  const files: Record<string, string> = {
    [`${ENDPOINT}/api/datasets/owner/ds/parquet/main/train/0.parquet`]: 'a',
    'https://cdn.example/owner/ds/1.parquet': 'b',
  };
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input),
      auth = new Headers(init?.headers).get('authorization');
    seen.push({ url, auth });
    if (o.gated && auth !== 'Bearer hf_tok') return new Response('no', { status: 401 });
    if (url === `${ENDPOINT}/api/datasets/owner/ds/parquet/main/train`) return Response.json(Object.keys(files));
    const q = files[url];
    if (!q) return new Response('not found', { status: 404 });
    return new Response(rowsParquet([{ prompt: `question ${q}`, answer: q }]));
  }) as typeof globalThis.fetch;
  return { fetch, seen };
}

describe('Hub datasets and the Hub settings', () => {
  it('list and fetch from the configured endpoint, with the token sent to it only', async () => {
    const hub = mockHub();
    const rows = await loadHubSplit('owner/ds', 'main', 'train', {
      endpoint: `${ENDPOINT}/`,
      token: 'hf_tok',
      fetch: hub.fetch,
      cache: false,
    });
    expect(rows.map((r) => r.answer)).toEqual(['a', 'b']);
    expect(hub.seen).toEqual([
      { url: `${ENDPOINT}/api/datasets/owner/ds/parquet/main/train`, auth: 'Bearer hf_tok' },
      { url: `${ENDPOINT}/api/datasets/owner/ds/parquet/main/train/0.parquet`, auth: 'Bearer hf_tok' },
      { url: 'https://cdn.example/owner/ds/1.parquet', auth: null },
    ]);
  });

  it('a gated dataset without a token says where the token goes', async () => {
    const hub = mockHub({ gated: true });
    const load = loadHubSplit('owner/ds', 'main', 'train', { endpoint: ENDPOINT, fetch: hub.fetch, cache: false });
    await expect(load).rejects.toThrow(HubDatasetError);
    await expect(load).rejects.toThrow(/HF_TOKEN .* access token setting/);
    expect(hub.seen[0].url.startsWith(ENDPOINT)).toBe(true);
  });
});
