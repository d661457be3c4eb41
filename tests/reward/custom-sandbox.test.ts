// The custom-reward sandbox (QuickJS in WebAssembly) in Node: scores plain code, keeps every escape from
// reaching anything (a local listener counts requests), holds memory, time, stack and result limits, and a
// failed call scores failure_score while the next calls go on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { customReward, checkCustomCode, CustomRewardError, MAX_RESULT_CHARS } from '../../src/reward/custom.ts';
import { runSandboxed, SandboxError } from '../../src/reward/sandbox.ts';
import { RunScorer } from '../../src/reward/scorer.ts';
import { LocalRewardRunner, RewardTimeoutError } from '../../src/reward/runner.ts';
import { parseRunConfig } from '../../src/engine/config.ts';
import type { RewardSample } from '../../src/reward/types.ts';
import { escapes } from './escapes.ts';

const sample = (completion: string): RewardSample => ({
  prompt: 'What is 6 * 7?',
  completion,
  completionIds: [1, 2, 3],
  row: { answer: '42' },
  finishReason: 'stop',
});

let server: http.Server;
let leak = '';
const requests: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    res.end('1');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  leak = `http://127.0.0.1:${(server.address() as AddressInfo).port}/leak`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('custom reward sandbox', () => {
  it('scores with the sample and options as plain data, sync or async', async () => {
    const s = sample('The answer is 42 because 6 * 7 = 42.');
    expect(await customReward(s, { code: 'return sample.completion.includes(sample.row.answer) ? 1 : 0;' })).toBe(1);
    expect(
      await customReward(s, {
        code: 'return { score: options.bonus, details: { ids: sample.completionIds } };',
        bonus: 2,
      }),
    ).toEqual({ score: 2, details: { ids: [1, 2, 3] } });
    expect(await customReward(s, { code: 'return (async () => sample.finishReason === "stop" ? 0.5 : 0)();' })).toBe(
      0.5,
    );
    // a Parquet int64 column arrives as a number (or text past 2^53), not as an error
    const row = { ...s, row: { n: 12n, huge: 2n ** 70n } };
    expect(
      await customReward(row, { code: 'return { score: sample.row.n, details: { h: sample.row.huge } };' }),
    ).toEqual({
      score: 12,
      details: { h: String(2n ** 70n) },
    });
    // the sandbox's own settings are not shown to the code
    expect(await customReward(s, { code: 'return Object.keys(options).length;', memory_mb: 8, timeout_ms: 500 })).toBe(
      0,
    );
  });

  it('has nothing but the language: no host object, no module loader', async () => {
    const names = (await runSandboxed(
      'return Object.getOwnPropertyNames(globalThis);',
      {},
      { timeoutMs: 1000, memoryBytes: 16 << 20, maxResultChars: MAX_RESULT_CHARS },
    )) as string[];
    for (const host of ['self', 'fetch', 'FontFace', 'fonts', 'postMessage', 'navigator', 'OffscreenCanvas', 'Atomics'])
      expect(names).not.toContain(host);
    expect(names).toEqual(expect.arrayContaining(['Math', 'JSON', 'RegExp']));
  });

  it('every escape fails to reach anything, within the time limit, and the calls after it go on', async () => {
    const timeoutMs = 400;
    const config = parseRunConfig({
      rewards: escapes(leak).map((e) => ({
        name: 'custom',
        options: { code: e.code, memory_mb: 16 },
        timeout_ms: timeoutMs,
        failure_score: -1,
      })),
    });
    const lines: { name: string; score: number | null; error?: string; ms: number }[] = [];
    const list = escapes(leak);
    for (let i = 0; i < list.length; i++) {
      const one = new RunScorer([config.rewards[i]], new LocalRewardRunner(), config);
      const t0 = performance.now();
      const [line] = await one.breakdown(sample('6 * 7 = 42'));
      lines.push({ name: list[i].name, score: line.score, error: line.error, ms: performance.now() - t0 });
    }
    if (process.env.SHOW) console.table(lines);
    for (const l of lines) {
      expect(l.score, `${l.name}: ${l.error}`).toBe(-1);
      expect(l.error, l.name).toBeTruthy();
      // in Node a built-in that does not check for interrupts (Array.prototype.fill) runs until the memory
      // limit stops it; the app's reward worker is terminated at the limit itself (see the e2e spec)
      expect(l.ms, l.name).toBeLessThan(timeoutMs + 1000);
    }
    const by = (n: string) => lines.find((l) => l.name === n)!.error!;
    expect(by('heap bomb')).toMatch(/over its memory limit of 16 MB/);
    expect(by('endless loop')).toMatch(/RewardTimeoutError/);
    expect(by('catastrophic regular expression')).toMatch(/RewardTimeoutError/);
    expect(by('deep recursion')).toMatch(/stack overflow/);
    expect(by('huge return value')).toMatch(/over the limit of 65536/);
    expect(by('getter that throws')).toMatch(/Error: no/);
    expect(by('FontFace')).toMatch(/ReferenceError/);
    // the run goes on: the scorer still scores a good reward after all of that
    const good = new RunScorer(
      parseRunConfig({ rewards: [{ name: 'custom', options: { code: 'return sample.completion.length;' } }] }).rewards,
      new LocalRewardRunner(),
    );
    expect((await good.breakdown(sample('abc')))[0].score).toBe(3);
    expect(requests).toEqual([]);
  });

  it('reports a time-out as a time-out and an oversized memory option as a usage error', async () => {
    await expect(customReward(sample('x'), { code: 'for (;;) {}', timeout_ms: 200 })).rejects.toBeInstanceOf(
      RewardTimeoutError,
    );
    await expect(customReward(sample('x'), { code: 'return 1', memory_mb: 4096 })).rejects.toThrow(/memory_mb/);
    expect(() => checkCustomCode('x'.repeat(200_000))).toThrow(CustomRewardError);
    expect(() => checkCustomCode('')).toThrow(CustomRewardError);
  });

  it('raises a SandboxError for code that does not compile, with the reason', async () => {
    const err = await runSandboxed(
      'return (',
      {},
      { timeoutMs: 500, memoryBytes: 16 << 20, maxResultChars: 100 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as Error).message).toMatch(/SyntaxError/);
  });
});
