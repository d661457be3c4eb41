// A second verifiable task: random k-SAT. The generator draws formulas near the hard region (k = 3 to 5,
// 10 to 20 variables, clauses = ratio x variables, default ratio 4.2) and keeps only satisfiable ones (a
// small DPLL solver decides, and its model becomes the reference answer). The reward parses the model's
// assignment ("x1=True, x2=False, ...") and checks it against every clause.
//
//   const f = generateKsat(new Rng(7), { k: 3, vars: 12 })  // { k, vars, clauses: [[1, -3, 5], ...], solution }
//   scoreAssignment(f.clauses, parseAssignment('x1=True, x2=False'))   // { satisfied, total, ... }
//
// Departure: the satisfiability threshold is about 4.27 only for k = 3 (9.93 for k = 4, 21.1 for k = 5); the
// default ratio stays 4.2 for every k so prompts stay short, which makes k = 4, 5 formulas easier.
import { Rng } from '../engine/rng.ts';
import type { RewardFn } from './types.ts';

/** Clauses in DIMACS style: literal v is x_v, -v is NOT x_v. */
export interface KsatFormula {
  k: number;
  vars: number;
  clauses: number[][];
  solution: boolean[];
}

export interface KsatParams {
  k?: number;
  vars?: number;
  ratio?: number;
}

export class KsatError extends Error {
  readonly name = 'KsatError';
}

function randomClause(rng: Rng, k: number, vars: number): number[] {
  const picked = new Set<number>();
  while (picked.size < k) picked.add(1 + rng.int(vars));
  return [...picked].map((v) => (rng.next() < 0.5 ? -v : v));
}

/** A satisfying assignment (index v for x_v; index 0 unused) or null. DPLL with unit propagation. */
export function solveKsat(clauses: number[][], vars: number): boolean[] | null {
  const assign = new Array<number>(vars + 1).fill(0); // 0 unset, 1 true, -1 false
  const value = (lit: number) => assign[Math.abs(lit)] * Math.sign(lit);
  const search = (): boolean => {
    const trail: number[] = [];
    const undo = () => {
      for (const v of trail) assign[v] = 0;
      return false;
    };
    for (let changed = true; changed;) {
      changed = false;
      for (const c of clauses) {
        if (c.some((l) => value(l) === 1)) continue;
        const open = c.filter((l) => value(l) === 0);
        if (open.length === 0) return undo();
        if (open.length === 1) {
          assign[Math.abs(open[0])] = Math.sign(open[0]);
          trail.push(Math.abs(open[0]));
          changed = true;
        }
      }
    }
    const v = assign.findIndex((a, i) => i > 0 && a === 0);
    if (v < 0) return true;
    for (const s of [1, -1]) {
      assign[v] = s;
      if (search()) return true;
    }
    assign[v] = 0;
    return undo();
  };
  return search() ? assign.map((a) => a === 1) : null;
}

/** A random satisfiable k-SAT formula; unsatisfiable draws are discarded (seeded, so reproducible). */
export function generateKsat(rng: Rng, params: KsatParams = {}): KsatFormula {
  const k = params.k ?? 3 + rng.int(3);
  const vars = params.vars ?? 10 + rng.int(11);
  const ratio = params.ratio ?? 4.2;
  if (!(k >= 2 && k <= vars)) throw new KsatError(`k-SAT needs 2 <= k (${k}) <= vars (${vars})`);
  const m = Math.max(1, Math.round(ratio * vars));
  for (let attempt = 0; attempt < 1000; attempt++) {
    const clauses = Array.from({ length: m }, () => randomClause(rng, k, vars));
    const solution = solveKsat(clauses, vars);
    if (solution) return { k, vars, clauses, solution };
  }
  throw new KsatError(
    `no satisfiable ${k}-SAT formula with ${vars} variables and ${m} clauses in 1000 draws; lower the ratio`,
  );
}

export function formatClauses(clauses: number[][]): string {
  return clauses.map((c) => `(${c.map((l) => (l < 0 ? `¬x${-l}` : `x${l}`)).join(' ∨ ')})`).join(' ∧ ');
}

export function formatAssignment(solution: boolean[]): string {
  return solution
    .slice(1)
    .map((b, i) => `x${i + 1}=${b ? 'True' : 'False'}`)
    .join(', ');
}

/** The values a completion gives each variable; a later value for the same variable wins (a revision). */
export function parseAssignment(text: string): Map<number, boolean> {
  const out = new Map<number, boolean>();
  const re = /\bx_?\{?(\d+)\}?\s*(?:=|:|is|→|->)\s*(true|false|t|f|1|0)\b/gi;
  for (const m of text.matchAll(re)) out.set(Number(m[1]), /^(true|t|1)$/i.test(m[2]));
  return out;
}

export interface KsatScore {
  satisfied: number;
  total: number;
  assigned: number;
  missing: number[];
}

export function scoreAssignment(clauses: number[][], vars: number, a: Map<number, boolean>): KsatScore {
  const satisfied = clauses.filter((c) => c.some((l) => a.get(Math.abs(l)) === l > 0)).length;
  const missing: number[] = [];
  for (let v = 1; v <= vars; v++) if (!a.has(v)) missing.push(v);
  return { satisfied, total: clauses.length, assigned: vars - missing.length, missing };
}

/** The formula of a dataset row: `clauses` (number[][] or its JSON) and `vars`. */
export function rowFormula(row: Record<string, unknown>): { clauses: number[][]; vars: number } | null {
  const raw = typeof row.clauses === 'string' ? JSON.parse(row.clauses) : row.clauses;
  if (!Array.isArray(raw)) return null;
  const clauses = raw as number[][];
  const vars = typeof row.vars === 'number' ? row.vars : Math.max(...clauses.flat().map(Math.abs));
  return { clauses, vars };
}

/** Options: partial_credit (default true: the fraction of clauses satisfied; false: 1 only when all are). */
export const ksatReward: RewardFn = (sample, options) => {
  const f = rowFormula(sample.row);
  if (!f) return null;
  const s = scoreAssignment(f.clauses, f.vars, parseAssignment(sample.completion));
  const all = s.satisfied === s.total;
  const score = options.partial_credit === false ? (all ? 1 : 0) : s.satisfied / s.total;
  return { score, details: { ...s, all_satisfied: all } };
};
