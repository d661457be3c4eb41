// The CLI's local server under hostile requests: malformed paths get 400 and the server keeps serving;
// nothing outside the served folders is reachable (a sibling folder with the same prefix, "..", encoded
// slashes and backslashes, absolute paths, symbolic links); it listens on 127.0.0.1 only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serveStatic } from '../../src/cli/serve.ts';

const top = fs.mkdtempSync(path.join(os.tmpdir(), 'webgrpo-serve-'));
const dist = path.join(top, 'dist'),
  model = path.join(top, 'model');
let server: { url: string; close: () => Promise<void> };
let port = 0;

/** Sends a raw request line exactly as written (no client-side normalisation); resolves status and body. */
function raw(target: string, host = `localhost:${port}`, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    sock.on('data', (d) => (data += String(d)));
    sock.on('error', reject);
    sock.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1] ?? 0);
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
    sock.write(`${method} ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  });
}

/** Writes `bytes` as they are; resolves the status line's code (0 when the connection closes without one). */
function sendBytes(bytes: string): Promise<number> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    sock.on('data', (d) => (data += String(d)));
    sock.on('error', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1] ?? 0)));
    sock.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1] ?? 0)));
    sock.write(bytes);
  });
}

beforeAll(async () => {
  for (const d of [dist, model, path.join(top, 'distsecret'), path.join(top, 'modelx')]) fs.mkdirSync(d);
  fs.writeFileSync(path.join(dist, 'index.html'), '<p>app</p>');
  fs.mkdirSync(path.join(dist, 'assets'));
  fs.writeFileSync(path.join(dist, 'assets', 'a.js'), 'export {}');
  fs.writeFileSync(path.join(model, 'config.json'), '{}');
  fs.writeFileSync(path.join(top, 'distsecret', 'secret.txt'), 'SECRET');
  fs.writeFileSync(path.join(top, 'modelx', 'secret.txt'), 'SECRET');
  fs.writeFileSync(path.join(top, 'secret.txt'), 'SECRET');
  fs.symlinkSync(path.join(top, 'secret.txt'), path.join(dist, 'link.txt'));
  fs.symlinkSync(path.join(top, 'distsecret'), path.join(dist, 'linkdir'));
  fs.symlinkSync(path.join(dist, 'index.html'), path.join(dist, 'inner.html'));
  server = await serveStatic(dist, { 'local-model': model });
  port = Number(new URL(server.url).port);
});
afterAll(async () => {
  await server.close();
  fs.rmSync(top, { recursive: true, force: true });
});

describe('the CLI server', () => {
  it('serves the app, the model folder, links that stay inside, and HEAD', async () => {
    expect(await raw('/')).toMatchObject({ status: 200, body: '<p>app</p>' });
    expect(await raw('/assets/a.js')).toMatchObject({ status: 200, body: 'export {}' });
    expect(await raw('/local-model/config.json')).toMatchObject({ status: 200, body: '{}' });
    expect(await raw('/inner.html')).toMatchObject({ status: 200, body: '<p>app</p>' });
    expect(await raw('/index.html?x=1#y')).toMatchObject({ status: 200 });
    expect((await raw('/index.html', undefined, 'HEAD')).status).toBe(200);
    expect((await raw('/index.html', undefined, 'POST')).status).toBe(405);
  });

  it('answers malformed requests with 400 and keeps serving', async () => {
    for (const bad of ['/%E0%A4%A', '/%', '/%zz', '/a%00b', '/assets//a.js', 'index.html', '*'])
      expect((await raw(bad)).status, bad).toBe(400);
    // a request line the HTTP parser rejects
    const sock = net.connect(port, '127.0.0.1');
    sock.write('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n');
    sock.resume();
    await new Promise((r) => sock.on('close', r).on('error', r));
    expect(await raw('/')).toMatchObject({ status: 200, body: '<p>app</p>' });
  });

  it('answers oversized and raw malformed requests, and keeps serving', async () => {
    const head = `\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`;
    const cases: [string, number][] = [
      [`GET /${'a'.repeat(100_000)} HTTP/1.1${head}`, 400], // past the parser's header limit
      [`GET /${'a'.repeat(15_000)} HTTP/1.1${head}`, 404],
      [`GET ${'/a'.repeat(7_000)} HTTP/1.1${head}`, 404],
      [`GET /a\0b HTTP/1.1${head}`, 400], // a raw NUL
      [`GET /..\\secret.txt HTTP/1.1${head}`, 400], // a raw backslash
      [`GET /%C0%AE%C0%AE/secret.txt HTTP/1.1${head}`, 400], // overlong UTF-8 for ".."
      [`GET /a b HTTP/1.1${head}`, 400],
      [`GET / HTTP/1.1\r\nHost: localhost:${port}\r\nX: ${'a'.repeat(100_000)}\r\n\r\n`, 400],
      ['HELLO\r\n\r\n', 400],
      [`CONNECT localhost:${port} HTTP/1.1${head}`, 0], // closed without an answer
      [`GET / HTTP/1.0\r\n\r\n`, 403], // no Host
    ];
    for (const [bytes, status] of cases) expect(await sendBytes(bytes), bytes.slice(0, 60)).toBe(status);
    // many at once, then the app is still served
    const flood = await Promise.all(Array.from({ length: 100 }, (_, i) => raw(i % 2 ? '/%E0%A4%A' : '/..%2Fx')));
    expect(flood.every((r) => r.status === 400)).toBe(true);
    expect(await raw('/')).toMatchObject({ status: 200, body: '<p>app</p>' });
  });

  it('serves nothing outside the served folders', async () => {
    const attempts = [
      '/../secret.txt',
      '/..%2Fsecret.txt',
      '/..%2Fdistsecret%2Fsecret.txt',
      '/%2E%2E/distsecret/secret.txt',
      '/..%5Csecret.txt',
      '/..%5cdistsecret%5csecret.txt',
      '/assets/..%2F..%2Fsecret.txt',
      '/local-model/..%2Fmodelx%2Fsecret.txt',
      '/local-model/../modelx/secret.txt',
      `/${encodeURIComponent(path.join(top, 'secret.txt'))}`,
      `/%2F${encodeURIComponent(path.join(top, 'secret.txt').slice(1))}`,
      `//${path.join(top, 'secret.txt').slice(1)}`,
      '/link.txt',
      '/linkdir/secret.txt',
      `http://localhost:${port}/../secret.txt`,
    ];
    for (const a of attempts) {
      const r = await raw(a);
      expect([400, 404], `${a} -> ${r.status}`).toContain(r.status);
      expect(r.body, a).not.toContain('SECRET');
    }
  });

  it('answers only its own host names, and listens on 127.0.0.1 only', async () => {
    expect((await raw('/', `evil.example:${port}`)).status).toBe(403);
    expect((await raw('/', `127.0.0.1:${port}`)).status).toBe(200);
    const other = os.networkInterfaces();
    const external = Object.values(other)
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    // nor on IPv6's loopback
    const v6 = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '::1');
      s.on('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.on('error', () => resolve(true));
    });
    expect(v6).toBe(true);
    if (external) {
      const refused = await new Promise<boolean>((resolve) => {
        const s = net.connect(port, external);
        s.on('connect', () => {
          s.destroy();
          resolve(false);
        });
        s.on('error', () => resolve(true));
      });
      expect(refused).toBe(true);
    }
  });
});
