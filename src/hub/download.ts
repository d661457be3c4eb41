// Model files from the Hugging Face Hub (or a mirror: the endpoint is a setting, as HF_ENDPOINT) as a
// FileSource: the revision is resolved to its commit once (revision.ts) and every file is fetched from
// <endpoint>/<id>/resolve/<commit>/<file>, with progress per file and in total (bytes, speed, time left), a
// cache keyed by that URL (Cache Storage in the browser) so a model downloads once and a cache never mixes
// two commits, and retries with exponential back-off that continue an interrupted file with an HTTP Range
// request instead of starting over.
//
//   const src = hubSource('Qwen/Qwen2.5-0.5B-Instruct', { onProgress: (p) => bar(p.bytesDone / p.bytesTotal) })
//   const model = await CausalLM.load(src); await src.commit()   // the commit the files came from
import type { FileSource } from '../engine/model/source.ts';
import { hubEndpoint } from './errors.ts';
import { MissingFileError, bodyChunks, cacheWhileReading, downloadChunks, startedChunks } from './stream.ts';
import { resolveRevision, type ResolvedRevision } from './revision.ts';
import type { CacheLike, DownloadProgress, HubOptions } from './options.ts';

export { DownloadError, HubAccessError, HubNetworkError, HubNotFoundError, DEFAULT_ENDPOINT } from './errors.ts';

export type { CacheLike, DownloadProgress, HubOptions } from './options.ts';

export const HUB_CACHE = 'webgrpo-hub-v1';

export async function browserCache(): Promise<CacheLike | null> {
  const c = (globalThis as { caches?: CacheStorage }).caches;
  if (!c) return null;
  try {
    return await c.open(HUB_CACHE);
  } catch {
    return null;
  }
}

/** Deletes every cached model file (the app's "clear downloads"). */
export async function clearHubCache(): Promise<boolean> {
  return (globalThis as { caches?: CacheStorage }).caches?.delete(HUB_CACHE) ?? false;
}

/** What to tell the user when the cache refused a file: the model still loads, and downloads again next time. */
export function notCachedMessage(file: string, e: Error): string {
  return (
    `${file} was not kept in this browser's cache (${e.name}: ${e.message}), so it downloads again each time ` +
    'the model loads: private windows and a nearly full disk refuse large files; use a normal window, or free disk space'
  );
}

/** Files a model load needs: configs, tokenizer, and the top-level safetensors weights. */
export function neededFiles(listing: Map<string, number>): string[] {
  const wanted =
    /^(config\.json|generation_config\.json|tokenizer\.json|tokenizer_config\.json|chat_template\.jinja|model(-\d+-of-\d+)?\.safetensors|model\.safetensors\.index\.json)$/;
  return [...listing.keys()].filter((p) => wanted.test(p));
}

/** A Hub model's files; `commit()` is the commit the revision resolved to. */
export interface HubFileSource extends FileSource {
  readonly id: string;
  commit(): Promise<string>;
}

export function hubSource(id: string, o: HubOptions = {}): HubFileSource {
  const endpoint = hubEndpoint(o.endpoint),
    rev = o.revision ?? 'main',
    opts = { ...o, endpoint };
  const progress = new ProgressTracker(o.onProgress);
  const cache = o.cache === undefined ? browserCache() : Promise.resolve(o.cache);
  let resolved: Promise<ResolvedRevision> | null = null;
  const resolve = () =>
    (resolved ??= cache.then(async (c) => {
      const r = await resolveRevision(id, opts, c);
      progress.plan(neededFiles(r.files).map((f) => [f, r.files.get(f)!]));
      return r;
    }));
  return {
    id,
    where: `${endpoint}/${id}@${rev}`,
    commit: async () => (await resolve()).commit,
    async read(name, onProgress) {
      const { commit, files } = await resolve();
      if (files.size && !files.has(name)) return null; // not in the commit: no request needed
      const url = `${endpoint}/${id}/resolve/${commit}/${name}`,
        c = await cache;
      const hit = await c?.match(url);
      if (hit) {
        const bytes = new Uint8Array(await hit.arrayBuffer());
        progress.update(name, bytes.length, bytes.length, true);
        return bytes;
      }
      const bytes = await fetchWithRetry(url, name, opts, (loaded, total) => {
        progress.update(name, loaded, total, false);
        onProgress?.(loaded, total);
      });
      if (bytes && c)
        await c
          .put(url, new Response(bytes.slice().buffer, { headers: { 'content-length': String(bytes.length) } }))
          .catch((e: Error) => o.onNotCached?.(name, e)); // a full cache only costs a re-download
      return bytes;
    },
    async stream(name, onProgress) {
      const { commit, files } = await resolve();
      if (files.size && !files.has(name)) return null;
      const url = `${endpoint}/${id}/resolve/${commit}/${name}`,
        c = await cache,
        size = files.get(name) ?? 0;
      const hit = await c?.match(url);
      if (hit) return bodyChunks(hit, (n) => progress.update(name, n, size || n, true));
      const chunks = await startedChunks(
        downloadChunks(url, name, opts, (loaded, total) => {
          progress.update(name, loaded, total, false);
          onProgress?.(loaded, total);
        }),
      );
      if (!chunks) return null; // the server has no such file (a listing that did not say)
      return c ? cacheWhileReading(chunks, c, url, size, (e) => o.onNotCached?.(name, e)) : chunks;
    },
  };
}

/** GET with retries; an interrupted body resumes with a Range request. null on 404. */
export async function fetchWithRetry(
  url: string,
  name: string,
  o: HubOptions,
  onBytes: (loaded: number, total: number) => void,
): Promise<Uint8Array | null> {
  const parts: Uint8Array[] = [];
  let n = 0;
  try {
    for await (const chunk of downloadChunks(url, name, o, onBytes)) {
      parts.push(chunk);
      n += chunk.byteLength;
    }
  } catch (e) {
    if (e instanceof MissingFileError) return null;
    throw e;
  }
  const out = new Uint8Array(n);
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.byteLength;
  }
  return out;
}

/** Per-file and total bytes, speed over the last seconds, time left. */
export class ProgressTracker {
  private files = new Map<string, { loaded: number; total: number }>();
  private samples: { t: number; bytes: number }[] = [];

  constructor(
    private readonly onProgress?: (p: DownloadProgress) => void,
    private readonly now = () => Date.now(),
  ) {}

  plan(files: [string, number][]): void {
    for (const [f, size] of files) if (!this.files.has(f)) this.files.set(f, { loaded: 0, total: size });
  }

  update(file: string, loaded: number, total: number, cached: boolean): void {
    const cur = this.files.get(file);
    this.files.set(file, { loaded, total: total || cur?.total || 0 });
    const bytesDone = [...this.files.values()].reduce((a, f) => a + f.loaded, 0);
    const bytesTotal = [...this.files.values()].reduce((a, f) => a + Math.max(f.total, f.loaded), 0);
    const t = this.now();
    if (!cached) this.samples.push({ t, bytes: bytesDone });
    while (this.samples.length > 2 && t - this.samples[0].t > 5000) this.samples.shift();
    const first = this.samples[0],
      dt = first ? (t - first.t) / 1000 : 0;
    const bytesPerSecond = dt > 0 ? (bytesDone - first.bytes) / dt : 0;
    const etaSeconds = bytesPerSecond > 0 && bytesTotal > 0 ? (bytesTotal - bytesDone) / bytesPerSecond : null;
    this.onProgress?.({
      file,
      loaded,
      total: this.files.get(file)!.total,
      bytesDone,
      bytesTotal,
      bytesPerSecond,
      etaSeconds,
      cached,
    });
  }
}
