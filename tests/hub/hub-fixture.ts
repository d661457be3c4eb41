// A fake Hugging Face Hub for tests: model folders (a fixture model plus a character-level tokenizer, or the
// Qwen2.5-0.5B-shaped folder of qwen-shape.ts) served through a fetch function that speaks the Hub's
// revision API, resolve/ URLs and Range requests, answers 401 for a gated repo without its token, and can
// fail on demand (HTTP errors, a connection that breaks mid-file). hub-server.ts serves it over HTTP.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURE_ROOT } from '../engine/fixtures.ts';
import type { CacheLike } from '../../src/hub/download.ts';

export const CHAT_TEMPLATE =
  '{% for m in messages %}<s>{{ m.role }}: {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}<s>assistant: {% endif %}';

/** tokenizer.json with one token per character (ids 3..255) and <pad>=0, <s>=1, </s>=2. */
export function charTokenizer(): Record<string, unknown> {
  const vocab: Record<string, number> = { '<pad>': 0, '<s>': 1, '</s>': 2 };
  const chars = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 +-=?.,:;#*/()\n'];
  // filler characters up to the tiny models' 256 ids, so every id a model samples decodes
  while (chars.length < 253) chars.push(String.fromCharCode(0x100 + chars.length));
  chars.forEach((c, i) => {
    vocab[c] = i + 3;
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    normalizer: null,
    post_processor: null,
    added_tokens: ['<pad>', '<s>', '</s>'].map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    pre_tokenizer: { type: 'Split', pattern: { Regex: '.|\\n' }, behavior: 'Isolated', invert: false },
    decoder: { type: 'Fuse' },
    model: { type: 'WordLevel', vocab, unk_token: '<pad>' },
  };
}

/** A model folder: the qwen2 fixture plus tokenizer files. */
export function makeRepo(withTemplate = true): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webgrpo-hub-'));
  for (const f of ['config.json', 'generation_config.json', 'model.safetensors'])
    fs.copyFileSync(path.join(FIXTURE_ROOT, 'qwen2', f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(charTokenizer()));
  fs.writeFileSync(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      eos_token: '</s>',
      pad_token: '<pad>',
      bos_token: '<s>',
      ...(withTemplate ? { chat_template: CHAT_TEMPLATE } : {}),
    }),
  );
  return dir;
}

/** One model repository of the fake Hub: its commits (each a folder) and branches. */
export interface FakeRepo {
  commits: Map<string, string>;
  refs: Map<string, string>;
  /** Gated or private: every request must carry this token. */
  token?: string;
}

export interface FakeHub {
  fetch: typeof fetch;
  repos: Map<string, FakeRepo>;
  requests: { url: string; range?: string; auth?: string }[];
  /** Adds `dir` as a new commit of `id` (created if new) and points `main` at it; returns the commit. */
  publish(id: string, dir: string, o?: { token?: string }): string;
  /** Next request for `file` answers with this HTTP status. */
  failOnce(file: string, status: number): void;
  /** Next body of `file` breaks after `bytes` bytes. */
  breakOnce(file: string, bytes: number): void;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization, range',
  'access-control-expose-headers': 'content-length, content-range, accept-ranges',
};

/**
 * The Hub's URL layout over folders: `/api/models/<id>/revision/<rev>` (sha and siblings with sizes),
 * `/<id>/resolve/<rev or commit>/<file>` with Range requests, 401 without the token of a gated repo, 404 for
 * a missing repo, revision or file. `fetch` answers in-process; hub-server.ts serves the same over HTTP.
 */
export function fakeHub(dir?: string, id = 'test/tiny'): FakeHub {
  const fails = new Map<string, number>(),
    breaks = new Map<string, number>(),
    repos = new Map<string, FakeRepo>();
  const requests: FakeHub['requests'] = [];
  const fetchFn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input)),
      headers = new Headers(init?.headers);
    if (init?.method === 'OPTIONS') return new Response(null, { status: 204, headers: CORS });
    const auth = headers.get('authorization') ?? undefined;
    requests.push({
      url: url.href,
      ...(headers.get('range') ? { range: headers.get('range')! } : {}),
      ...(auth ? { auth } : {}),
    });
    const path_ = decodeURIComponent(url.pathname);
    const api = path_.match(/^\/api\/models\/([^/]+\/[^/]+)\/revision\/(.+)$/);
    const res = path_.match(/^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/);
    const repo = repos.get((api ?? res)?.[1] ?? '');
    if (!repo) return text(404, 'Repository not found');
    if (repo.token && auth !== `Bearer ${repo.token}`) return text(401, 'Access to this model is restricted');
    const rev = (api ?? res)![2];
    const commit = repo.refs.get(rev) ?? (repo.commits.has(rev) ? rev : null);
    if (!commit) return text(404, 'Revision not found');
    const folder = repo.commits.get(commit)!;
    if (api) return Response.json({ id: api[1], sha: commit, siblings: siblings(folder) }, { headers: CORS });
    const file = res![3];
    if (fails.has(file)) {
      const s = fails.get(file)!;
      fails.delete(file);
      return text(s, 'fail');
    }
    if (!fs.existsSync(path.join(folder, file))) return text(404, 'Entry not found');
    const cut = breaks.get(file);
    if (cut !== undefined) breaks.delete(file);
    return fileResponse(path.join(folder, file), headers.get('range'), cut);
  };
  const hub: FakeHub = {
    fetch: fetchFn as typeof fetch,
    repos,
    requests,
    publish(rid, folder, o = {}) {
      const repo: FakeRepo = repos.get(rid) ?? { commits: new Map(), refs: new Map() };
      const commit = crypto.createHash('sha1').update(`${rid} ${repo.commits.size} ${folder}`).digest('hex');
      repo.commits.set(commit, folder);
      repo.refs.set('main', commit);
      if (o.token) repo.token = o.token;
      repos.set(rid, repo);
      return commit;
    },
    failOnce: (f, s) => fails.set(f, s),
    breakOnce: (f, b) => breaks.set(f, b),
  };
  if (dir) hub.publish(id, dir);
  return hub;
}

const text = (status: number, body: string) => new Response(body, { status, headers: CORS });

function siblings(folder: string): { rfilename: string; size: number; lfs?: { size: number } }[] {
  return fs.readdirSync(folder).flatMap((p) => {
    const st = fs.statSync(path.join(folder, p));
    if (!st.isFile()) return [];
    return [{ rfilename: p, size: st.size, ...(p.endsWith('.safetensors') ? { lfs: { size: st.size } } : {}) }];
  });
}

/** A file's bytes from `bytes=a-` or `bytes=a-b` on, in 64 KiB chunks, read as they are sent; `cut`: break after that many bytes. */
function fileResponse(file: string, range: string | null, cut?: number): Response {
  const size = fs.statSync(file).size;
  const m = range?.match(/bytes=(\d+)-(\d*)/);
  const start = m ? Number(m[1]) : 0,
    end = m?.[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  if (start >= size && size > 0) return text(416, 'range not satisfiable');
  const fd = fs.openSync(file, 'r');
  let p = start;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      // one chunk per read, so a break lands after the bytes already delivered
      if (cut !== undefined && p - start >= cut) {
        fs.closeSync(fd);
        c.error(new Error('socket hang up'));
        return;
      }
      if (p > end) {
        fs.closeSync(fd);
        c.close();
        return;
      }
      const n = Math.min(65536, end + 1 - p, cut !== undefined ? Math.max(1, cut - (p - start)) : Infinity);
      const buf = new Uint8Array(n);
      fs.readSync(fd, buf, 0, n, p);
      p += n;
      c.enqueue(buf);
    },
    cancel() {
      fs.closeSync(fd);
    },
  });
  const headers: Record<string, string> = {
    ...CORS,
    'content-length': String(end + 1 - start),
    'accept-ranges': 'bytes',
  };
  if (m) headers['content-range'] = `bytes ${start}-${end}/${size}`;
  return new Response(stream, { status: m ? 206 : 200, headers });
}

export function mapCache(): CacheLike & { map: Map<string, Uint8Array> } {
  const map = new Map<string, Uint8Array>();
  return {
    map,
    match: async (url) => (map.has(url) ? new Response(map.get(url)!.slice()) : undefined),
    put: async (url, res) => {
      map.set(url, new Uint8Array(await res.arrayBuffer()));
    },
  };
}
