// A Hub revision (branch, tag or commit) resolved to its commit, once per load, with the files of that
// commit and their sizes: `GET <endpoint>/api/models/<id>/revision/<rev>?blobs=true`, as the Hub answers
// it (`sha`, and `siblings` with `rfilename`, `size` and `lfs.size`). Files are then fetched from
// `<endpoint>/<id>/resolve/<commit>/<file>` and cached under that URL, so a cache never mixes two commits.
// The answer is cached too: offline, a branch resolves to the commit it last resolved to.
//
//   const { commit, files } = await resolveRevision('Qwen/Qwen2.5-0.5B-Instruct', { revision: 'main' }, cache)
import type { CacheLike, HubOptions } from './options.ts';
import { DownloadError, HubNetworkError, HubNotFoundError, accessError, hubAuth, hubEndpoint } from './errors.ts';

export interface ResolvedRevision {
  commit: string;
  /** Files of the commit with their sizes (the LFS size for weights). */
  files: Map<string, number>;
}

interface Sibling {
  rfilename?: string;
  size?: number;
  lfs?: { size?: number };
}

const COMMIT = /^[0-9a-f]{40}$/;

export async function resolveRevision(id: string, o: HubOptions, cache: CacheLike | null): Promise<ResolvedRevision> {
  const endpoint = hubEndpoint(o.endpoint),
    rev = o.revision ?? 'main',
    f = o.fetch ?? fetch;
  const url = `${endpoint}/api/models/${id}/revision/${encodeURIComponent(rev)}?blobs=true`;
  const retries = Math.min(o.retries ?? 2, 2),
    delay = o.retryDelayMs ?? 1000;
  let lastError = '';
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, delay * 2 ** (attempt - 1)));
    let res: Response;
    try {
      res = await f(url, { headers: hubAuth(o) });
    } catch (e) {
      lastError = (e as Error).message;
      continue;
    }
    if (res.status === 401 || res.status === 403) throw accessError(id, endpoint, res.status, !!o.token);
    if (res.status === 404)
      throw new HubNotFoundError(
        `${endpoint} has no model ${id} at revision "${rev}" (HTTP 404): check the id and the revision (a branch, tag or commit)`,
      );
    if (res.status === 429 || res.status >= 500) {
      lastError = `HTTP ${res.status}`;
      continue;
    }
    if (!res.ok) throw new DownloadError(`GET ${url} failed: HTTP ${res.status}`);
    const text = await res.text();
    const parsed = parseRevision(text, url);
    await cache?.put(url, new Response(text)).catch(() => undefined);
    return parsed;
  }
  const saved = await cache?.match(url);
  if (saved) return parseRevision(await saved.text(), url);
  throw new HubNetworkError(
    `cannot reach ${endpoint} to resolve ${id}@${rev} (${lastError}): check the connection, or the Hub endpoint ` +
      `(HF_ENDPOINT on the command line, the endpoint setting in the app); a model downloaded before loads offline`,
  );
}

function parseRevision(text: string, url: string): ResolvedRevision {
  let json: { sha?: unknown; siblings?: Sibling[] };
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    throw new DownloadError(`${url} did not answer JSON: is the endpoint a Hugging Face Hub?`);
  }
  if (typeof json.sha !== 'string' || !COMMIT.test(json.sha))
    throw new DownloadError(`${url} gave no commit (sha): is the endpoint a Hugging Face Hub?`);
  const files = new Map<string, number>();
  for (const s of json.siblings ?? [])
    if (typeof s.rfilename === 'string') files.set(s.rfilename, s.lfs?.size ?? s.size ?? 0);
  return { commit: json.sha, files };
}
