// Streaming load: safetensors read tensor by tensor from chunks, Hub files streamed with Range resume and
// cached only when whole, and each weight placed (on the GPU, in the app) before the next one is read.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { initBackend } from '../../src/engine/backend.ts';
import { readSafetensors } from '../../src/engine/model/safetensors.ts';
import { streamSafetensors } from '../../src/engine/model/safetensors-stream.ts';
import * as tf from '../../src/engine/tf.ts';
import { loadWeights } from '../../src/engine/model/loader.ts';
import { disposeWeights } from '../../src/engine/model/weights.ts';
import { hubSource } from '../../src/hub/download.ts';
import { MissingFileError, startedChunks, cacheWhileReading, CACHE_LAG_BYTES } from '../../src/hub/stream.ts';
import { fakeHub, makeRepo, mapCache } from './hub-fixture.ts';

let dir: string;
beforeAll(async () => {
  await initBackend('cpu');
  dir = makeRepo();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function* pieces(bytes: Uint8Array, sizes: number[]) {
  for (let p = 0, i = 0; p < bytes.length; p += sizes[i++ % sizes.length])
    yield bytes.slice(p, p + sizes[i % sizes.length]);
}

describe('streaming load', () => {
  it('reads the same tensors from chunks of any size as from the whole file', async () => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(dir, 'model.safetensors')));
    const whole = readSafetensors(bytes);
    const streamed = new Map();
    for await (const [k, v] of streamSafetensors(pieces(bytes, [1, 7, 3, 4096, 13]), 'x')) streamed.set(k, v);
    expect([...streamed.keys()].sort()).toEqual([...whole.keys()].sort());
    for (const [k, v] of whole) expect(streamed.get(k)).toEqual(v);
    await expect(async () => {
      for await (const _ of streamSafetensors(pieces(bytes.subarray(0, bytes.length - 5), [4096]), 'x.safetensors'));
    }).rejects.toThrow(/past the end of x\.safetensors: the download is incomplete/);
  });

  it('places each weight as it arrives, continues a broken download, and caches a file only when whole', async () => {
    const hub = fakeHub(dir),
      cache = mapCache();
    hub.breakOnce('model.safetensors', 100_000);
    const src = hubSource('test/tiny', { endpoint: 'https://hub.test', fetch: hub.fetch, cache, retryDelayMs: 1 });
    const alive: number[] = [],
      base = tf.memory().numTensors;
    const read = src.stream!.bind(src);
    src.stream = async (name, p) =>
      read(name, (loaded, total) => {
        alive.push(tf.memory().numTensors - base); // weights on the backend as each chunk arrives
        p?.(loaded, total);
      });
    const { weights } = await loadWeights(src);
    expect(weights.layers.length).toBeGreaterThan(0);
    disposeWeights(weights);
    // weights are placed while the file is still arriving, not after its last byte
    expect(alive.filter((n) => n > 0).length).toBeGreaterThan(alive.length / 4);
    expect(alive[0]).toBe(0);
    const tries = hub.requests.filter((r) => r.url.endsWith('model.safetensors'));
    expect(tries.map((r) => r.range)).toEqual([undefined, 'bytes=100000-']);
    const key = [...cache.map.keys()].find((k) => k.endsWith('/model.safetensors'))!;
    expect(Buffer.from(cache.map.get(key)!).equals(fs.readFileSync(path.join(dir, 'model.safetensors')))).toBe(true);

    const cold = mapCache(); // a reader that stops early leaves nothing in the cache
    const s2 = hubSource('test/tiny', { endpoint: 'https://hub.test', fetch: hub.fetch, cache: cold });
    for await (const _ of (await s2.stream!('model.safetensors'))!) break;
    await new Promise((r) => setTimeout(r, 10));
    expect([...cold.map.keys()].some((k) => k.endsWith('model.safetensors'))).toBe(false);
  });

  it('reads past the tensors it is not asked for', async () => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(dir, 'model.safetensors')));
    const names: string[] = [];
    let header = 0;
    const want = (n: string) => n.includes('layers.0.');
    for await (const [k] of streamSafetensors(pieces(bytes, [999]), 'x', {
      want,
      onHeader: (e) => (header = e.length),
    }))
      names.push(k);
    expect(names.length).toBeGreaterThan(0);
    expect(names.every(want)).toBe(true);
    expect(names.length).toBe([...readSafetensors(bytes).keys()].filter(want).length);
    expect(header).toBe(readSafetensors(bytes).size);
  });

  it('a slow cache writer holds the download back instead of the file piling up in memory', async () => {
    let written = 0,
      passed = 0,
      maxLag = 0;
    const slow = {
      match: async () => undefined,
      put: async (_url: string, res: Response) => {
        const r = res.body!.getReader();
        for (;;) {
          const { done, value } = await r.read();
          if (done) return;
          await new Promise((ok) => setTimeout(ok, 1));
          written += value.byteLength;
        }
      },
    };
    async function* fast() {
      for (let i = 0; i < 40; i++) yield new Uint8Array(1 << 20);
    }
    for await (const c of cacheWhileReading(fast(), slow, 'https://hub.test/x', 40 << 20)) {
      passed += c.byteLength;
      maxLag = Math.max(maxLag, passed - written);
    }
    expect(written).toBe(40 << 20);
    expect(maxLag).toBeLessThanOrEqual(CACHE_LAG_BYTES + (2 << 20));
  });

  it('a file the server does not have is null before anything is read; other failures are thrown', async () => {
    async function* missing(): AsyncGenerator<Uint8Array> {
      throw new MissingFileError('x does not exist (HTTP 404)');
    }
    async function* refused(): AsyncGenerator<Uint8Array> {
      throw new Error('HTTP 401');
    }
    expect(await startedChunks(missing())).toBeNull();
    await expect(startedChunks(refused())).rejects.toThrow(/401/);
  });
});
