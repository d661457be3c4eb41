// A real `webgrpo train` run (the demo model, software WebGPU) under attack from both sides: its custom
// reward tries every way out of the sandbox to a local HTTP listener, and hostile requests hit the CLI's
// own server while the run goes. No request may reach the listener, the server must answer 400/404 without
// leaking a file, and the run must finish with all its steps.
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { escapes } from '../tests/reward/escapes.ts';

const BIN = path.resolve('bin/webgrpo.mjs');

/** Every quick escape in turn, each compiled and run on its own and caught, so the reward still scores. */
function leakyReward(leak: string): string {
  const tries = escapes(leak)
    .filter((e) => !/bomb|loop|recursion|nested|regular|never settles|huge/.test(e.name))
    .map((e) => `try { Function('sample', ${JSON.stringify(e.code)})(sample); } catch (e) { caught++; }`);
  return `let caught = 0;\n${tries.join('\n')}\nreturn { score: sample.completion.length % 2, details: { caught } };`;
}

/** Sends a request line as written (or, with `bytes`, the whole request); resolves the status and body. */
function raw(port: number, target: string, bytes?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    sock.on('data', (d) => (data += String(d)));
    const done = () =>
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1] ?? 0), body: data.split('\r\n\r\n')[1] ?? '' });
    // (a server that answers before reading a whole oversized request resets the connection after it)
    sock.on('error', done);
    sock.on('close', done);
    sock.write(bytes ?? `GET ${target} HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`);
  });
}

test('a training run whose reward tries to leak, and whose server is attacked, finishes and leaks nothing', async () => {
  const requests: string[] = [];
  const listener = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(200, { 'access-control-allow-origin': '*' }).end('1');
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const leak = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/leak`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webgrpo-hostile-')),
    out = path.join(dir, 'out');
  // a sibling of dist/ whose name starts with "dist": the server must not serve it
  const sibling = path.resolve('distsecret-e2e');
  fs.mkdirSync(sibling, { recursive: true });
  fs.writeFileSync(path.join(sibling, 'secret.txt'), 'SECRET');
  const config = {
    model: { id: 'demo' },
    lora: { r: 4, alpha: 8 },
    sampling: { num_generations: 4, max_completion_length: 5 },
    data: { dataset: 'demo-arithmetic', template: 'plain' },
    rewards: [
      { name: 'math', weight: 1 },
      { name: 'custom', weight: 0.1, options: { code: leakyReward(leak) }, timeout_ms: 5000 },
    ],
    run: { max_steps: 3, prompts_per_step: 2, micro_batch_size: 8, eval_examples: 4, save_steps: 1, seed: 3 },
  };
  fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify(config));
  try {
    const child = spawn(
      process.execPath,
      [BIN, 'train', '--config', path.join(dir, 'c.json'), '--allow-custom-code', '--out', out],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    const answers: { target: string; status: number; body: string }[] = [];
    let attacked: Promise<void> | null = null;
    child.stderr.on('data', (d) => {
      err += String(d);
      if (!attacked && /step 1\/3/.test(err)) attacked = attack();
    });
    const attack = async () => {
      const port = Number(fs.readFileSync(path.join(out, '.browser', 'webgrpo-origin-port'), 'utf8'));
      for (const target of [
        '/%E0%A4%A',
        '/..%2Fdistsecret-e2e%2Fsecret.txt',
        '/..%5Cdistsecret-e2e%5Csecret.txt',
        '/%',
        `/${'a'.repeat(100_000)}`, // past the HTTP parser's limit
        '/a\0b', // a raw NUL
        '/..\\distsecret-e2e\\secret.txt', // raw backslashes
      ])
        answers.push({ target: target.slice(0, 40), ...(await raw(port, target)) });
      answers.push({ target: 'garbage', ...(await raw(port, '', 'HELLO\r\n\r\n')) });
      // a burst of malformed requests at once
      const burst = await Promise.all(Array.from({ length: 50 }, () => raw(port, '/%E0%A4%A')));
      answers.push(...burst.map((b) => ({ target: 'burst', ...b })));
      answers.push({ target: '/lab.html', ...(await raw(port, '/lab.html')) });
    };
    const code = await new Promise<number | null>((res) => child.on('exit', res));
    expect(code, err).toBe(0);
    expect(attacked, 'the run printed step 1').not.toBeNull();
    await attacked;
    for (const a of answers.slice(0, -1)) {
      expect([400, 404], `${a.target} -> ${a.status}`).toContain(a.status);
      expect(a.body).not.toContain('SECRET');
    }
    expect(answers.at(-1)!.status).toBe(200);
    const metrics = fs
      .readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number>);
    expect(metrics.map((m) => m.step)).toEqual([1, 2, 3]);
    expect(metrics.at(-1)!['rewards/custom/failures']).toBe(0);
    const completions = fs.readFileSync(path.join(out, 'completions.jsonl'), 'utf8');
    expect(completions).toMatch(/"caught":\d+/);
    await new Promise((r) => setTimeout(r, 500));
    expect(requests).toEqual([]);
  } finally {
    fs.rmSync(sibling, { recursive: true, force: true });
    await new Promise<void>((r) => listener.close(() => r()));
  }
});
