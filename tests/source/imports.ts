// The import graph of src/, read from the source text (relative imports of .ts and .svelte files): what
// the layering and cycle tests check. `import type` and all-type `{ type A, type B }` imports are marked,
// so that a test can ask for value imports only; dynamic `import('...')` counts as a value import.
import fs from 'node:fs';
import path from 'node:path';

export const SRC = path.resolve(__dirname, '../../src');

/** Every .ts and .svelte file under `dir`, recursively. */
export function sources(dir = SRC): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(ts|svelte)$/.test(e.name) ? [p] : [];
  });
}

export interface Import {
  to: string; // relative to src/, e.g. 'engine/config.ts'
  typeOnly: boolean;
}

const STATIC = /^\s*(?:import|export)\s+(type\s+)?([^;]*?)from\s+'(\.[^']+)'/gms;
const DYNAMIC = /\bimport\(\s*'(\.[^']+)'\s*\)/g;

const allTypes = (names: string) =>
  /^\{[^}]*\}\s*$/.test(names) &&
  names
    .replace(/[{}]/g, '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)
    .every((n) => /^type\s/.test(n));

/** The relative imports of a file (paths relative to src/). */
export function importsOf(file: string): Import[] {
  const text = fs.readFileSync(file, 'utf8');
  const to = (spec: string) => path.relative(SRC, path.resolve(path.dirname(file), spec));
  return [
    ...[...text.matchAll(STATIC)].map((m) => ({ to: to(m[3]), typeOnly: !!m[1] || allTypes(m[2]) })),
    ...[...text.matchAll(DYNAMIC)].map((m) => ({ to: to(m[1]), typeOnly: false })),
  ];
}

/** The cycles of the graph (each as the files around it), by Tarjan's strongly connected components. */
export function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>(),
    low = new Map<string, number>(),
    stack: string[] = [],
    on = new Set<string>(),
    out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)?.includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

/** src/'s import graph: every file with the files it imports (value imports only, unless `types`). */
export function importGraph(o: { types: boolean }): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const f of sources())
    g.set(
      path.relative(SRC, f),
      importsOf(f)
        .filter((i) => o.types || !i.typeOnly)
        .map((i) => i.to),
    );
  return g;
}
