// The Model tab's architecture lookup (ui/model/architecture.ts): a Hub id's config.json read at the commit
// its revision resolves to, through the download's cache, so the estimate and the load read the same file;
// typed problems for a gated model, a missing model or revision, and an unreachable Hub.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configUrl, readArchitecture } from '../../src/ui/model/architecture.ts';
import { hubSource } from '../../src/hub/download.ts';
import type { ModelSpec } from '../../src/engine/model/spec.ts';
import { fakeHub, makeRepo, mapCache } from '../hub/hub-fixture.ts';

let one: string, two: string;
beforeAll(() => {
  one = makeRepo();
  // a second commit of the same model: one more layer
  two = fs.mkdtempSync(path.join(os.tmpdir(), 'webgrpo-arch-'));
  fs.cpSync(one, two, { recursive: true });
  const cfg = JSON.parse(fs.readFileSync(path.join(one, 'config.json'), 'utf8'));
  fs.writeFileSync(
    path.join(two, 'config.json'),
    JSON.stringify({ ...cfg, num_hidden_layers: cfg.num_hidden_layers + 1 }),
  );
});
afterAll(() => [one, two].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const endpoint = 'http://127.0.0.1:4212';
const paths = (h: ReturnType<typeof fakeHub>) => h.requests.map((r) => new URL(r.url).pathname);

describe('the architecture before the download', () => {
  it('reads config.json at the commit the revision resolves to, cached where the load reads it', async () => {
    const hub = fakeHub(),
      cache = mapCache();
    const c1 = hub.publish('test/tiny', one);
    hub.repos.get('test/tiny')!.refs.set('v1', c1); // a tag on the first commit
    const c2 = hub.publish('test/tiny', two); // main moves on
    const layers = JSON.parse(fs.readFileSync(path.join(one, 'config.json'), 'utf8')).num_hidden_layers;

    const atTag = (await readArchitecture('test/tiny', 'v1', { endpoint }, { fetch: hub.fetch, cache })) as ModelSpec;
    expect(atTag.layers).toBe(layers);
    const atMain = (await readArchitecture(
      'test/tiny',
      'main',
      { endpoint },
      { fetch: hub.fetch, cache },
    )) as ModelSpec;
    expect(atMain.layers).toBe(layers + 1);
    expect(paths(hub)).toEqual([
      '/api/models/test/tiny/revision/v1',
      `/test/tiny/resolve/${c1}/config.json`,
      '/api/models/test/tiny/revision/main',
      `/test/tiny/resolve/${c2}/config.json`,
    ]);
    // the load resolves main again and finds config.json in the cache: the same file, not fetched twice
    const before = hub.requests.length;
    const src = hubSource('test/tiny', { endpoint, fetch: hub.fetch, cache });
    expect(await src.read('config.json')).not.toBeNull();
    expect(paths(hub).slice(before)).toEqual(['/api/models/test/tiny/revision/main']);
  });

  it('a gated model asks for the token without refusing the run; with it the architecture reads', async () => {
    const hub = fakeHub();
    hub.publish('org/gated', one, { token: 'hf_ok' });
    const o = { fetch: hub.fetch, cache: null };
    const refused = await readArchitecture('org/gated', 'main', { endpoint }, o);
    expect(refused).toEqual({
      why: 'The Hub refused access to org/gated: the model may be gated or private; set the access token below.',
      blocking: false,
    });
    expect(((await readArchitecture('org/gated', 'main', { endpoint, token: 'hf_ok' }, o)) as ModelSpec).layers).toBe(
      JSON.parse(fs.readFileSync(path.join(one, 'config.json'), 'utf8')).num_hidden_layers,
    );
  });

  it('a missing model or revision refuses the run; an unreachable Hub and a missing config.json say so', async () => {
    const hub = fakeHub();
    hub.publish('test/tiny', one);
    const o = { fetch: hub.fetch, cache: null };
    expect(await readArchitecture('test/none', 'main', { endpoint }, o)).toMatchObject({
      why: expect.stringMatching(/no such model or revision: check the id and revision/),
      blocking: true,
    });
    expect(await readArchitecture('test/tiny', 'v9', { endpoint }, o)).toMatchObject({ blocking: true });
    const offline = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    const far = await readArchitecture('test/tiny', 'main', { endpoint }, { fetch: offline, cache: null });
    expect(far).toMatchObject({ why: expect.stringMatching(/^Cannot reach the Hub/), blocking: false });
    fs.renameSync(path.join(one, 'config.json'), path.join(one, 'config.moved'));
    try {
      const none = await readArchitecture('test/tiny', 'main', { endpoint }, o);
      expect(none).toMatchObject({ why: expect.stringMatching(/has no config\.json/), blocking: true });
    } finally {
      fs.renameSync(path.join(one, 'config.moved'), path.join(one, 'config.json'));
    }
  });

  it('a folder URL reads its own config.json; other ids name nothing to read', async () => {
    expect(configUrl('https://example.org/m/')).toBe('https://example.org/m/config.json');
    expect(configUrl('Qwen/Qwen3-0.6B')).toBeNull();
    expect(await readArchitecture('not a model', 'main', {})).toMatchObject({ blocking: true });
  });
});
