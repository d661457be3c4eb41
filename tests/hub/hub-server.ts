// The fake Hub of hub-fixture.ts over HTTP on 127.0.0.1, for the app in Chromium and `webgrpo train` with
// HF_ENDPOINT. Run alone, it serves the Qwen2.5-0.5B-shaped model of qwen-shape.ts (written on first use):
//
//   npx tsx tests/hub/hub-server.ts [--port 4212] [--gated TOKEN]
//   HF_ENDPOINT=http://127.0.0.1:4212 npx webgrpo train --config c.json     # model.id Qwen/Qwen2.5-0.5B-Instruct
import http from 'node:http';
import { Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { fakeHub, type FakeHub } from './hub-fixture.ts';
import { QWEN_ID, qwenShapedModel } from './qwen-shape.ts';

export async function serveHub(hub: FakeHub, port = 0): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    try {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      const r = await hub.fetch(`http://127.0.0.1${req.url ?? '/'}`, { method: req.method, headers });
      res.writeHead(r.status, Object.fromEntries(r.headers));
      if (!r.body || req.method === 'HEAD') {
        res.end(r.body ? undefined : await r.text());
        return;
      }
      const body = Readable.fromWeb(r.body as import('node:stream/web').ReadableStream<Uint8Array>);
      body.on('error', () => res.destroy()); // a broken download, as a dropped connection
      body.pipe(res);
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: v } = parseArgs({ options: { port: { type: 'string' }, gated: { type: 'string' } } });
  const hub = fakeHub();
  process.stderr.write('writing the Qwen2.5-0.5B-shaped model (once)...\n');
  hub.publish(QWEN_ID, qwenShapedModel(), v.gated ? { token: v.gated } : {});
  const s = await serveHub(hub, Number(v.port ?? 4212));
  process.stderr.write(`serving ${QWEN_ID} at ${s.url} (HF_ENDPOINT=${s.url})\n`);
}
