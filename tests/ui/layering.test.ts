// The layering the README describes, checked on the source: the UI takes no value from src/engine (types
// are fine; the engine's pure helpers come through src/worker/shared.ts), and the engine imports nothing
// of the UI, the worker or the rewards' modules (the types it shares with rewards are engine/scoring.ts).
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../../src');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(ts|svelte)$/.test(e.name) ? [p] : [];
  });
}

/** Value imports (not `import type`) of a file, as paths relative to src/. */
function valueImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?([^;]*?)from\s+'(\.[^']+)'/gms)) {
    if (
      m[1] ||
      (/^\{[^}]*\}\s*$/.test(m[2]) &&
        m[2]
          .replace(/[{}\s]/g, '')
          .split(',')
          .every((n) => n.startsWith('type ')))
    )
      continue;
    out.push(path.relative(root, path.resolve(path.dirname(file), m[3])));
  }
  return out;
}

describe('layering', () => {
  it('the UI imports no engine values', () => {
    const bad = sources(path.join(root, 'ui')).flatMap((f) =>
      valueImports(f)
        .filter((i) => i.startsWith('engine/'))
        .map((i) => `${path.relative(root, f)} -> ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it('the engine imports nothing of the UI, the worker, or the rewards other than their option lists', () => {
    const bad = sources(path.join(root, 'engine')).flatMap((f) =>
      valueImports(f)
        .filter((i) => /^(ui|worker)\//.test(i) || (i.startsWith('reward/') && i !== 'reward/options.ts'))
        .map((i) => `${path.relative(root, f)} -> ${i}`),
    );
    expect(bad).toEqual([]);
  });
});
