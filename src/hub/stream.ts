// A Hub file as a stream of chunks, for loading weights without holding a whole file: GET with retries and
// exponential back-off, an interrupted body continued with a Range request (the chunks already passed on are
// not sent again), and the same chunks written to the cache as they are read, so the cache never runs ahead
// of the reader and a file that did not arrive whole is never cached.
//
//   for await (const chunk of downloadChunks(url, 'model.safetensors', o, onBytes)) parse(chunk)
import type { CacheLike, HubOptions } from './options.ts';
import { DownloadError, HubNetworkError, accessError, hubAuth, hubEndpoint } from './errors.ts';

/** The server answered 404: the file does not exist at this commit. */
export class MissingFileError extends Error {
  readonly name = 'MissingFileError';
}

export async function* downloadChunks(
  url: string,
  name: string,
  o: HubOptions,
  onBytes: (loaded: number, total: number) => void,
): AsyncGenerator<Uint8Array> {
  const f = o.fetch ?? fetch,
    retries = o.retries ?? 4,
    delay = o.retryDelayMs ?? 1000;
  let loaded = 0,
    total = 0,
    lastError = '',
    answered = false;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, delay * 2 ** (attempt - 1)));
    let res: Response;
    try {
      res = await f(url, { headers: { ...hubAuth(o), ...(loaded > 0 ? { range: `bytes=${loaded}-` } : {}) } });
    } catch (e) {
      lastError = (e as Error).message;
      continue;
    }
    answered = true;
    if (res.status === 404) throw new MissingFileError(`${url} does not exist (HTTP 404)`);
    if (res.status === 401 || res.status === 403)
      throw accessError(url, hubEndpoint(o.endpoint), res.status, !!o.token);
    if (res.status === 429 || res.status >= 500) {
      lastError = `HTTP ${res.status}`;
      continue;
    }
    if (!res.ok) throw new DownloadError(`GET ${url} failed: HTTP ${res.status}`);
    // a server that ignores Range sends the whole file again: skip what was passed on already
    let skip = loaded > 0 && res.status !== 206 ? loaded : 0;
    total = total || Number(res.headers.get('content-length') ?? 0) + loaded;
    const reader = res.body!.getReader();
    let ended = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return void (ended = true);
        let chunk = value;
        if (skip) {
          const n = Math.min(skip, chunk.byteLength);
          skip -= n;
          chunk = chunk.subarray(n);
          if (!chunk.byteLength) continue;
        }
        loaded += chunk.byteLength;
        onBytes(loaded, total);
        yield chunk;
      }
    } catch (e) {
      ended = true;
      lastError = `connection lost after ${loaded} bytes: ${(e as Error).message}`;
    } finally {
      if (!ended) await reader.cancel().catch(() => undefined); // the reader stopped early: end the download
      reader.releaseLock?.();
    }
  }
  throw new (answered ? DownloadError : HubNetworkError)(
    `could not download ${name} after ${retries + 1} attempts (${lastError}); check the connection and try again: finished files stay cached`,
  );
}

/** Bytes read ahead of a slow cache writer at most, before the reader waits for it. */
export const CACHE_LAG_BYTES = 8 << 20;

/**
 * Passes the chunks on and writes the same chunks to the cache; the entry is kept only if all arrived. The
 * cache's writer pulls at its own pace: when it is CACHE_LAG_BYTES behind, the next chunk waits for it, so
 * a slow disk never makes the whole file pile up in memory.
 */
export async function* cacheWhileReading(
  chunks: AsyncIterable<Uint8Array>,
  cache: CacheLike,
  url: string,
  size: number,
  onRefused?: (e: Error) => void,
): AsyncGenerator<Uint8Array> {
  let ctrl!: ReadableStreamDefaultController<Uint8Array>,
    wake: (() => void) | null = null,
    dropped = false, // the cache stopped reading (full, or an error): pass the chunks on without it
    broken = false; // the download stopped: the cache's refusal is ours, not the cache's
  const resume = () => {
    wake?.();
    wake = null;
  };
  const drop = () => {
    dropped = true;
    resume();
  };
  const body = new ReadableStream<Uint8Array>(
    { start: (c) => void (ctrl = c), pull: resume, cancel: drop },
    new ByteLengthQueuingStrategy({ highWaterMark: CACHE_LAG_BYTES }),
  );
  const put = cache
    .put(url, new Response(body, size ? { headers: { 'content-length': String(size) } } : {}))
    .catch((e: Error) => {
      if (!broken) onRefused?.(e); // a full cache only costs a re-download: said, and the load goes on
      drop();
    });
  let complete = false;
  try {
    for await (const chunk of chunks) {
      if (!dropped) ctrl.enqueue(chunk.slice()); // a copy: the reader may transfer or reuse its chunk
      yield chunk;
      while (!dropped && (ctrl.desiredSize ?? 1) <= 0) await new Promise<void>((r) => (wake = r));
    }
    complete = true;
    if (!dropped) ctrl.close();
    await put;
  } finally {
    broken = !complete;
    if (!complete && !dropped) ctrl.error(new DownloadError(`${url}: the download stopped before the end; not cached`));
  }
}

/**
 * A download's chunks once the server has answered: null when it has no such file (HTTP 404), so that a
 * missing file is known before anything is read; other errors are thrown here.
 */
export async function startedChunks(chunks: AsyncGenerator<Uint8Array>): Promise<AsyncGenerator<Uint8Array> | null> {
  let first: IteratorResult<Uint8Array>;
  try {
    first = await chunks.next();
  } catch (e) {
    if (e instanceof MissingFileError) return null;
    throw e;
  }
  return (async function* () {
    try {
      if (!first.done) yield first.value;
      yield* chunks;
    } finally {
      await chunks.return(undefined); // stopped early: end the download
    }
  })();
}

/** The chunks of a cached response's body. */
export async function* bodyChunks(res: Response, onBytes: (loaded: number) => void): AsyncGenerator<Uint8Array> {
  if (!res.body) {
    const b = new Uint8Array(await res.arrayBuffer());
    onBytes(b.byteLength);
    yield b;
    return;
  }
  const reader = res.body.getReader();
  let loaded = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      loaded += value.byteLength;
      onBytes(loaded);
      yield value;
    }
  } finally {
    reader.releaseLock?.();
  }
}
