// The Hub endpoint as a setting: a revision resolved to its commit once, files fetched and cached under that
// commit, gated models with a token, typed errors for 401, 404 and an unreachable endpoint, and the commit
// recorded in an exported adapter.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import { initBackend } from '../../src/engine/backend.ts';
import { memoryStore } from '../../src/engine/checkpoint.ts';
import { hubSource, HubAccessError, HubNetworkError, HubNotFoundError } from '../../src/hub/download.ts';
import { loadModelAndTokenizer } from '../../src/hub/load.ts';
import { prepareRunInputs } from '../../src/data/prepare.ts';
import { browserEnv, type LoadedWithTokenizer } from '../../src/worker/env.ts';
import { TrainingSession } from '../../src/worker/session.ts';
import type { TrainerEvent } from '../../src/worker/protocol.ts';
import { fakeHub, makeRepo, mapCache } from './hub-fixture.ts';

let dir: string, dir2: string;
beforeAll(async () => {
  await initBackend('cpu');
  dir = makeRepo();
  dir2 = makeRepo(false);
});
afterAll(() => [dir, dir2].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const endpoint = 'http://127.0.0.1:4212/';
const model = { id: 'test/tiny', revision: 'main', weight_dtype: 'f32' as const };
const paths = (h: ReturnType<typeof fakeHub>, from = 0) => h.requests.slice(from).map((r) => new URL(r.url).pathname);

describe('Hub revisions', () => {
  it('resolves the revision to a commit once and caches files under it; a moved branch never mixes commits', async () => {
    const hub = fakeHub(),
      cache = mapCache();
    const c1 = hub.publish('test/tiny', dir);
    const a = await loadModelAndTokenizer(model, { endpoint, fetch: hub.fetch, cache });
    a.model.dispose();
    expect(a.commit).toBe(c1);
    const asked = paths(hub);
    expect(asked.filter((p) => p.startsWith('/api/'))).toEqual(['/api/models/test/tiny/revision/main']);
    const files = asked.filter((p) => p.includes('/resolve/'));
    expect(files.length).toBeGreaterThan(3);
    expect(files.every((p) => p.startsWith(`/test/tiny/resolve/${c1}/`))).toBe(true);
    expect([...cache.map.keys()].every((u) => !u.includes('/resolve/main/'))).toBe(true);

    const c2 = hub.publish('test/tiny', dir2); // main moves: the next load fetches the new commit's files
    const n = hub.requests.length;
    const b = await loadModelAndTokenizer(model, { endpoint, fetch: hub.fetch, cache });
    b.model.dispose();
    expect(b.commit).toBe(c2);
    expect(b.tokenizer.chatTemplate).toBeNull(); // the second commit's tokenizer_config, not the cached first
    expect(
      paths(hub, n)
        .filter((p) => p.includes('/resolve/'))
        .every((p) => p.includes(c2)),
    ).toBe(true);

    const m = hub.requests.length; // the old commit, named: served from the cache
    const c = await loadModelAndTokenizer({ ...model, revision: c1 }, { endpoint, fetch: hub.fetch, cache });
    c.model.dispose();
    expect(c.tokenizer.chatTemplate).not.toBeNull();
    expect(paths(hub, m).filter((p) => p.includes('/resolve/'))).toEqual([]);
  });

  it('gated models need the token (sent with every request); 401, 404 and no connection are typed errors', async () => {
    const hub = fakeHub();
    hub.publish('org/gated', dir, { token: 'hf_secret' });
    const o = { endpoint, fetch: hub.fetch, cache: null, retryDelayMs: 1 };
    await expect(hubSource('org/gated', o).read('config.json')).rejects.toThrow(HubAccessError);
    await expect(hubSource('org/gated', o).read('config.json')).rejects.toThrow(/HF_TOKEN/);
    await expect(hubSource('org/gated', { ...o, token: 'wrong' }).read('config.json')).rejects.toThrow(
      /token given does not grant it/,
    );
    const n = hub.requests.length;
    const ok = await loadModelAndTokenizer({ ...model, id: 'org/gated' }, { ...o, token: 'hf_secret' });
    ok.model.dispose();
    expect(hub.requests.slice(n).every((r) => r.auth === 'Bearer hf_secret')).toBe(true);

    await expect(hubSource('org/none', o).read('config.json')).rejects.toThrow(HubNotFoundError);
    await expect(hubSource('org/gated', { ...o, token: 'hf_secret', revision: 'v9' }).read('x')).rejects.toThrow(
      /no model org\/gated at revision "v9"/,
    );
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    await expect(hubSource('test/tiny', { ...o, fetch: down }).read('config.json')).rejects.toThrow(HubNetworkError);
  });

  it('offline, a branch resolves to the commit it last resolved to and loads from the cache', async () => {
    const hub = fakeHub(dir),
      cache = mapCache();
    const a = await loadModelAndTokenizer(model, { endpoint, fetch: hub.fetch, cache });
    a.model.dispose();
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    const b = await loadModelAndTokenizer(model, { endpoint, fetch: down, cache, retryDelayMs: 1 });
    b.model.dispose();
    expect(b.commit).toBe(a.commit);
  });
});

describe('exported adapter', () => {
  it('names the Hub id and the commit as its base model', async () => {
    const hub = fakeHub();
    const commit = hub.publish('org/gated', dir, { token: 'hf_secret' });
    let dataHub: unknown = null; // the Hub settings the run's data is loaded with
    const env = {
      ...browserEnv({
        fetch: hub.fetch,
        cache: mapCache(),
        store: memoryStore(),
        prepareRun: async (config, m: LoadedWithTokenizer, hubSettings) => {
          dataHub = hubSettings;
          const inputs = await prepareRunInputs(config, m.tokenizer);
          return { ...inputs, counters: () => inputs.scorer.counters() };
        },
      }),
      initBackend: () => initBackend('cpu'),
      watchDevice: undefined,
    };
    const session = new TrainingSession(env);
    const done = new Promise<void>((resolve) =>
      session.on((e: TrainerEvent) => {
        if (e.kind === 'state' && ['done', 'error'].includes(e.status.state)) resolve();
      }),
    );
    await session.setHub({ endpoint, token: 'hf_secret' });
    await session.start({
      model: { id: 'org/gated' },
      data: { dataset: 'demo-arithmetic', template: 'plain' },
      rewards: [{ name: 'math' }],
      sampling: { num_generations: 2, max_completion_length: 2 },
      lora: { r: 2 },
      run: { max_steps: 1, prompts_per_step: 1, eval_examples: 1, save_steps: 0 },
    });
    await done;
    const peft = await session.exportAdapter();
    expect(peft.config.base_model_name_or_path).toBe('org/gated');
    expect(peft.config.revision).toBe(commit);
    expect(dataHub).toEqual({ endpoint, token: 'hf_secret' }); // Hub datasets use the models' settings
  });
});
