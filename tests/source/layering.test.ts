// The layering the README describes, checked on the source: the UI takes no value from src/engine (types
// are fine; the engine's pure helpers come through src/worker/shared.ts), the engine imports nothing of
// the UI, the worker or the rewards' modules (the types it shares with rewards are engine/scoring.ts),
// and no file of src/ imports itself through others (value imports or types alike).
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { SRC, cycles, importGraph, importsOf, sources } from './imports.ts';

/** Value imports of the files under `dir` matching `bad`, as `file -> import`. */
function badImports(dir: string, bad: (to: string) => boolean): string[] {
  return sources(path.join(SRC, dir)).flatMap((f) =>
    importsOf(f)
      .filter((i) => !i.typeOnly && bad(i.to))
      .map((i) => `${path.relative(SRC, f)} -> ${i.to}`),
  );
}

describe('layering', () => {
  it('the UI imports no engine values (static or dynamic imports, every file under src/ui)', () => {
    expect(sources(path.join(SRC, 'ui')).length).toBeGreaterThan(50);
    expect(badImports('ui', (to) => to.startsWith('engine/'))).toEqual([]);
  });

  it('the engine imports nothing of the UI, the worker, or the rewards other than their option lists', () => {
    expect(
      badImports(
        'engine',
        (to) => /^(ui|worker)\//.test(to) || (to.startsWith('reward/') && to !== 'reward/options.ts'),
      ),
    ).toEqual([]);
  });

  it('no import cycles in src/, counting value imports', () => {
    expect(cycles(importGraph({ types: false }))).toEqual([]);
  });

  it('no import cycles in src/ counting types either, but for the config schema and its checks', () => {
    // The one allowed: config.ts's schema runs the checks of config-checks.ts and config-env.ts, which read
    // the config's type, inferred from that schema (type imports only: erased at run time).
    const allowed = ['engine/config-checks.ts', 'engine/config-env.ts', 'engine/config.ts'].join();
    expect(cycles(importGraph({ types: true })).filter((c) => c.join() !== allowed)).toEqual([]);
  });

  it('the cycle finder finds a cycle', () => {
    const g = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(g)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});
