import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { initBackend } from '../../src/engine/backend.ts';
import { hubSource, HubAccessError, DownloadError, type DownloadProgress } from '../../src/hub/download.ts';
import { loadModelAndTokenizer, modelSource, ModelIdError } from '../../src/hub/load.ts';
import { loadTokenizer } from '../../src/hub/tokenizer.ts';
import { dirSource } from '../../src/engine/model/node-source.ts';
import { fakeHub, makeRepo, mapCache } from './hub-fixture.ts';

let dir: string;
beforeAll(async () => {
  await initBackend('cpu');
  dir = makeRepo();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const endpoint = 'https://hub.test';
const model = { id: 'test/tiny', revision: 'main', weight_dtype: 'f32' as const };
const needed = [
  'config.json',
  'generation_config.json',
  'model.safetensors',
  'tokenizer.json',
  'tokenizer_config.json',
];
const size = (f: string) => fs.statSync(path.join(dir, f)).size;

describe('Hub download', () => {
  it('loads model and tokenizer with per-file and total progress, then serves them from the cache', async () => {
    const hub = fakeHub(dir),
      cache = mapCache(),
      seen: DownloadProgress[] = [];
    const a = await loadModelAndTokenizer(model, {
      endpoint,
      fetch: hub.fetch,
      cache,
      onProgress: (p) => seen.push(p),
      retryDelayMs: 1,
    });
    expect(a.model.spec.vocabSize).toBe(256);
    const last = seen.at(-1)!;
    const total = needed.reduce((s, f) => s + size(f), 0);
    expect(last.bytesTotal).toBe(total);
    expect(last.bytesDone).toBe(total);
    expect(seen.filter((p) => p.file === 'model.safetensors').at(-1)!.loaded).toBe(size('model.safetensors'));
    a.model.dispose();

    const before = hub.requests.length,
      again: DownloadProgress[] = [];
    const b = await loadModelAndTokenizer(model, {
      endpoint,
      fetch: hub.fetch,
      cache,
      onProgress: (p) => again.push(p),
    });
    const asked = hub.requests.slice(before).map((r) => new URL(r.url).pathname);
    // the revision is resolved again (main may have moved); no file is fetched, not even the missing index
    expect(asked).toEqual(['/api/models/test/tiny/revision/main']);
    expect(again.every((p) => p.cached)).toBe(true);
    b.model.dispose();
  });

  it('retries server errors and continues a broken download with a Range request', async () => {
    const hub = fakeHub(dir);
    hub.failOnce('model.safetensors', 503);
    hub.breakOnce('model.safetensors', 100_000);
    const src = hubSource('test/tiny', { endpoint, fetch: hub.fetch, cache: null, retryDelayMs: 1 });
    const bytes = await src.read('model.safetensors');
    expect(Buffer.from(bytes!).equals(fs.readFileSync(path.join(dir, 'model.safetensors')))).toBe(true);
    const tries = hub.requests.filter((r) => r.url.endsWith('model.safetensors'));
    expect(tries).toHaveLength(3);
    expect(tries[2].range).toBe('bytes=100000-');
  });

  it('reports missing files as null, gated models and exhausted retries with what to do', async () => {
    const hub = fakeHub(dir);
    const src = hubSource('test/tiny', { endpoint, fetch: hub.fetch, cache: null, retries: 1, retryDelayMs: 1 });
    expect(await src.read('nope.json')).toBeNull();
    expect(hub.requests.some((r) => r.url.endsWith('nope.json'))).toBe(false); // not in the commit's listing
    hub.failOnce('config.json', 401);
    await expect(src.read('config.json')).rejects.toThrow(HubAccessError);
    hub.failOnce('config.json', 500);
    hub.breakOnce('config.json', 0);
    await expect(src.read('config.json')).rejects.toThrow(DownloadError);
    expect(() => modelSource({ ...model, id: 'not a model' })).toThrow(ModelIdError);
  });
});

describe('tokenizer', () => {
  it('encodes, decodes, and knows its end and padding tokens', async () => {
    const tok = await loadTokenizer(dirSource(dir), { eosTokenIds: [2], padTokenId: null } as never);
    const ids = tok.encode('12+3=15');
    expect(ids).toHaveLength(7);
    expect(tok.decode([...ids, 2])).toBe('12+3=15');
    expect(tok.decode([])).toBe(''); // regression: a completion that is only EOS decodes to ''
    expect(tok.eosIds).toEqual([2]);
    expect(tok.padId).toBe(0);
  });
  it('renders the chat template with the generation prompt', async () => {
    const tok = await loadTokenizer(dirSource(dir));
    expect(
      tok.applyChatTemplate([
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'what is 2+3?' },
      ]),
    ).toBe('<s>system: be brief\n<s>user: what is 2+3?\n<s>assistant: ');
    expect(tok.encode('<s>a')).toEqual([1, 3]);
  });
  it('without a template, joins the messages; without tokenizer.json, says what to save', async () => {
    const plain = makeRepo(false);
    const tok = await loadTokenizer(dirSource(plain));
    expect(
      tok.applyChatTemplate([
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
      ]),
    ).toBe('a\n\nb');
    fs.rmSync(path.join(plain, 'tokenizer.json'));
    await expect(loadTokenizer(dirSource(plain))).rejects.toThrow(/tokenizer\.json/);
    fs.rmSync(plain, { recursive: true, force: true });
  });
});
