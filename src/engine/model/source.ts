// Where a model's files come from: a folder on disk (Node), a URL prefix (browser, local server or the
// Hub's resolve/ URLs), or anything else that can return a file's bytes. The engine only sees this interface.
export interface FileSource {
  /** Human-readable location, for error messages. */
  readonly where: string;
  /** The file's bytes, or null when it does not exist. */
  read(name: string, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array | null>;
  /** The file as chunks, so a large one is never held whole (weights load tensor by tensor); null when missing. */
  stream?(
    name: string,
    onProgress?: (loaded: number, total: number) => void,
  ): Promise<AsyncIterable<Uint8Array> | null>;
}

export class ModelFilesError extends Error {
  readonly name = 'ModelFilesError';
}

export async function readJson(src: FileSource, name: string): Promise<Record<string, unknown> | null> {
  const b = await src.read(name);
  if (!b) return null;
  try {
    return JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>;
  } catch (e) {
    throw new ModelFilesError(`${src.where}/${name} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Files under a URL prefix, fetched with the page's fetch (works in Workers and Node 20). */
export function urlSource(base: string): FileSource {
  const root = base.replace(/\/+$/, '');
  const get = async (name: string): Promise<Response | null> => {
    const res = await fetch(`${root}/${name}`);
    if (res.status === 404) return null;
    // single-page-app servers answer unknown paths with index.html and 200: that is a missing file too
    if ((res.headers.get('content-type') ?? '').startsWith('text/html') && !name.endsWith('.html')) return null;
    if (!res.ok) throw new ModelFilesError(`GET ${root}/${name} failed: HTTP ${res.status}`);
    return res;
  };
  return {
    where: root,
    async read(name, onProgress) {
      const res = await get(name);
      if (!res) return null;
      if (!res.body || !onProgress) return new Uint8Array(await res.arrayBuffer());
      const parts: Uint8Array[] = [];
      let loaded = 0;
      for await (const c of chunksOf(res, (n, t) => onProgress((loaded = n), t))) parts.push(c);
      const out = new Uint8Array(loaded);
      let p = 0;
      for (const part of parts) {
        out.set(part, p);
        p += part.byteLength;
      }
      return out;
    },
    async stream(name, onProgress) {
      const res = await get(name);
      return res ? chunksOf(res, onProgress) : null;
    },
  };
}

/** A response body as chunks, with bytes so far and in all (0 when the server does not say). */
async function* chunksOf(res: Response, onProgress?: (loaded: number, total: number) => void) {
  const total = Number(res.headers.get('content-length') ?? 0);
  if (!res.body) {
    const b = new Uint8Array(await res.arrayBuffer());
    onProgress?.(b.byteLength, total || b.byteLength);
    yield b;
    return;
  }
  const reader = res.body.getReader();
  let loaded = 0,
    ended = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return void (ended = true);
      loaded += value.byteLength;
      onProgress?.(loaded, total);
      yield value;
    }
  } finally {
    if (!ended) await reader.cancel().catch(() => undefined); // the reader stopped early: end the request
    reader.releaseLock?.();
  }
}
