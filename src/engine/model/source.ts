// Where a model's files come from: a folder on disk (Node), a URL prefix (browser, local server or the
// Hub's resolve/ URLs), or anything else that can return a file's bytes. The engine only sees this interface.
export interface FileSource {
  /** Human-readable location, for error messages. */
  readonly where: string;
  /** The file's bytes, or null when it does not exist. */
  read(name: string, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array | null>;
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
  return {
    where: root,
    async read(name, onProgress) {
      const res = await fetch(`${root}/${name}`);
      if (res.status === 404) return null;
      // single-page-app servers answer unknown paths with index.html and 200: that is a missing file too
      if ((res.headers.get('content-type') ?? '').startsWith('text/html') && !name.endsWith('.html')) return null;
      if (!res.ok) throw new ModelFilesError(`GET ${root}/${name} failed: HTTP ${res.status}`);
      const total = Number(res.headers.get('content-length') ?? 0);
      if (!res.body || !onProgress) return new Uint8Array(await res.arrayBuffer());
      const parts: Uint8Array[] = [];
      let loaded = 0;
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        loaded += value.byteLength;
        onProgress(loaded, total);
      }
      const out = new Uint8Array(loaded);
      let p = 0;
      for (const part of parts) {
        out.set(part, p);
        p += part.byteLength;
      }
      return out;
    },
  };
}
