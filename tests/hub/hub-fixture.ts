// A fake Hugging Face Hub for tests: a fixture model folder plus a character-level tokenizer, served
// through a fetch function that speaks resolve/ URLs, the tree API and Range requests, and can fail on
// demand (HTTP errors, a connection that breaks mid-file).
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

export interface FakeHub {
  fetch: typeof fetch;
  requests: { url: string; range?: string }[];
  /** Next request for `file` answers with this HTTP status. */
  failOnce(file: string, status: number): void;
  /** Next body of `file` breaks after `bytes` bytes. */
  breakOnce(file: string, bytes: number): void;
}

export function fakeHub(dir: string, id = 'test/tiny'): FakeHub {
  const fails = new Map<string, number>(),
    breaks = new Map<string, number>();
  const requests: FakeHub['requests'] = [];
  const fetchFn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input),
      headers = new Headers(init?.headers);
    requests.push({ url, ...(headers.get('range') ? { range: headers.get('range')! } : {}) });
    if (url.endsWith(`/api/models/${id}/tree/main`)) {
      return Response.json(
        fs.readdirSync(dir).map((p) => ({ type: 'file', path: p, size: fs.statSync(path.join(dir, p)).size })),
      );
    }
    const m = url.match(new RegExp(`/${id}/resolve/main/(.+)$`));
    if (!m) return new Response('no such repo', { status: 404 });
    const file = m[1];
    if (fails.has(file)) {
      const s = fails.get(file)!;
      fails.delete(file);
      return new Response('fail', { status: s });
    }
    if (!fs.existsSync(path.join(dir, file))) return new Response('not found', { status: 404 });
    const all = new Uint8Array(fs.readFileSync(path.join(dir, file)));
    const start = Number(headers.get('range')?.match(/bytes=(\d+)-/)?.[1] ?? 0);
    const body = all.subarray(start);
    const cut = breaks.get(file);
    if (cut !== undefined) breaks.delete(file);
    let p = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        // one chunk per read, so a break lands after the bytes already delivered
        if (cut !== undefined && p >= cut) {
          c.error(new Error('socket hang up'));
          return;
        }
        if (p >= body.length) {
          c.close();
          return;
        }
        c.enqueue(body.slice(p, p + 4096));
        p += 4096;
      },
    });
    return new Response(stream, { status: start ? 206 : 200, headers: { 'content-length': String(body.length) } });
  };
  return {
    fetch: fetchFn as typeof fetch,
    requests,
    failOnce: (f, s) => fails.set(f, s),
    breakOnce: (f, b) => breaks.set(f, b),
  };
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
