// The Python checker worker's JavaScript lock-down (src/reward/python/lockdown.ts), in a fresh Node worker
// thread: once applied, no attack a program could make with a JavaScript function it reached gets through
// (no code from strings in any spelling, import() included; no network, storage, fonts, canvas, page or
// process; no patching of what the worker uses to capture output and post results).
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ProbeOutcome } from '../../src/lab/lockdown-probe.ts';

function probe(): Promise<ProbeOutcome[]> {
  const w = new Worker(path.join(import.meta.dirname, 'lockdown-boot.mjs'));
  return new Promise<ProbeOutcome[]>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  }).finally(() => void w.terminate());
}

describe('python checker lock-down', () => {
  it('refuses every attack in a Node worker thread', async () => {
    const outcomes = await probe();
    expect(outcomes.length).toBeGreaterThan(40);
    expect(outcomes.filter((o) => o.outcome === 'ESCAPED')).toEqual([]);
    const byName = Object.fromEntries(outcomes.map((o) => [o.attack, o.outcome]));
    expect(byName['Function(return globalThis)']).toBe('refused: CodeGenerationRefused');
    expect(byName['AsyncFunction']).toBe('refused: CodeGenerationRefused');
    expect(byName['AsyncGeneratorFunction']).toBe('refused: CodeGenerationRefused');
    expect(byName['string setTimeout']).toBe('refused: CodeGenerationRefused');
    // present in a Node worker thread before the lock-down
    for (const name of ['process', 'fetch', 'MessageChannel']) expect(byName[`reach ${name}`]).toBe('held');
    expect(byName['patch TextDecoder.prototype.decode']).toMatch(/^refused: TypeError|^held/);
  });
});
