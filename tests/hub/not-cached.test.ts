// A cache that refuses a model's files (a private window's quota, a full disk): the model still loads, each
// refused file is named once with why and what to do (the Model tab's note, the CLI's `note:` line), and the
// next load downloads it again rather than failing.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import { initBackend } from '../../src/engine/backend.ts';
import { hubSource, notCachedMessage, type CacheLike } from '../../src/hub/download.ts';
import { loadModelAndTokenizer } from '../../src/hub/load.ts';
import { browserEnv } from '../../src/worker/env.ts';
import { TrainingSession } from '../../src/worker/session.ts';
import { eventLine } from '../../src/cli/run-output.ts';
import { parseRunConfig } from '../../src/engine/config.ts';
import type { TrainerEvent } from '../../src/worker/protocol.ts';
import { fakeHub, makeRepo, mapCache } from './hub-fixture.ts';

let dir: string;
beforeAll(async () => {
  await initBackend('cpu');
  dir = makeRepo();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const endpoint = 'http://127.0.0.1:4212';
const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

/** Keeps small files; refuses those over `limit` bytes, after reading `readFirst` bytes of them (mid-write). */
function refusingCache(limit: number, readFirst = 0): CacheLike & { kept: Set<string> } {
  const inner = mapCache(),
    kept = new Set<string>();
  return {
    kept,
    match: (url) => inner.match(url),
    async put(url, res) {
      const size = Number(res.headers.get('content-length') ?? 0);
      if (size <= limit) {
        await inner.put(url, res);
        kept.add(url.split('/').pop()!);
        return;
      }
      const reader = res.body!.getReader();
      for (let n = 0; n < readFirst;) {
        const r = await reader.read();
        if (r.done) break;
        n += r.value.byteLength;
      }
      await reader.cancel();
      throw quota();
    },
  };
}

describe('a cache that refuses large files', () => {
  it('the model loads, each refused file is named once, and the next load downloads it again', async () => {
    const hub = fakeHub();
    hub.publish('test/tiny', dir);
    const weights = fs.statSync(`${dir}/model.safetensors`).size;
    for (const readFirst of [0, 65536]) {
      const cache = refusingCache(weights - 1, readFirst),
        refused: [string, string][] = [];
      const o = { endpoint, fetch: hub.fetch, cache, onNotCached: (f: string, e: Error) => refused.push([f, e.name]) };
      const a = await loadModelAndTokenizer({ id: 'test/tiny', revision: 'main', weight_dtype: 'f32' }, o);
      expect(a.model.spec.layers).toBeGreaterThan(0);
      a.model.dispose();
      expect(refused).toEqual([['model.safetensors', 'QuotaExceededError']]);
      expect(cache.kept.has('config.json')).toBe(true);
      const n = hub.requests.length;
      const b = await loadModelAndTokenizer({ id: 'test/tiny', revision: 'main', weight_dtype: 'f32' }, o);
      b.model.dispose();
      const again = hub.requests.slice(n).map((r) => new URL(r.url).pathname.split('/').pop());
      expect(again).toContain('model.safetensors');
      expect(again).not.toContain('config.json');
    }
  });

  it('a small file the cache refuses is named too, and its bytes still arrive', async () => {
    const hub = fakeHub();
    hub.publish('test/tiny', dir);
    const refused: string[] = [];
    const src = hubSource('test/tiny', {
      endpoint,
      fetch: hub.fetch,
      cache: refusingCache(-1),
      onNotCached: (f) => refused.push(f),
    });
    const bytes = await src.read('config.json');
    expect(JSON.parse(new TextDecoder().decode(bytes!))).toHaveProperty('hidden_size');
    expect(refused).toEqual(['config.json']);
  });

  it('the worker reports it as a note of the download, and the command line prints it', async () => {
    const hub = fakeHub();
    hub.publish('test/tiny', dir);
    const weights = fs.statSync(`${dir}/model.safetensors`).size;
    const env = {
      ...browserEnv({ fetch: hub.fetch, cache: refusingCache(weights - 1) }),
      initBackend: () => initBackend('cpu'),
    };
    const session = new TrainingSession(env);
    const events: TrainerEvent[] = [];
    session.on((e) => events.push(e));
    await session.setHub({ endpoint });
    await session.loadModel({ id: 'test/tiny', revision: 'main', weight_dtype: 'f32' });
    const notes = events.flatMap((e) => (e.kind === 'progress' && e.progress.notCached ? [e] : []));
    expect(notes).toHaveLength(1);
    const message = notCachedMessage('model.safetensors', quota());
    expect(notes[0].kind === 'progress' && notes[0].progress.notCached).toBe(message);
    expect(message).toMatch(
      /^model\.safetensors was not kept in this browser's cache \(QuotaExceededError: .*\), so it downloads again/,
    );
    expect(message).toMatch(/use a normal window, or free disk space$/);
    const line = eventLine(notes[0], parseRunConfig({}), Date.now());
    expect(line).toBe(`note: ${message}`);
  });
});
