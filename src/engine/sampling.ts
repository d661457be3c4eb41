// Turning one row of logits into the next token, on the CPU: repetition penalty, temperature, top-k,
// top-p and min-p, in Hugging Face generate's order, then a draw from the seeded generator.
// The returned log-probability is log_softmax(logits / temperature) of the chosen token, before the
// filters, which is what TRL's loss recomputes; greedy (temperature 0) uses temperature 1 for it.
import type { Rng } from './rng.ts';

export interface TokenFilters {
  temperature: number;
  topP: number;
  topK: number;
  minP: number;
  repetitionPenalty: number;
}

export function chooseToken(
  logits: Float32Array,
  f: TokenFilters,
  rng: Rng,
  seen?: Iterable<number>,
): { token: number; logprob: number } {
  const x = Float32Array.from(logits);
  if (f.repetitionPenalty !== 1 && seen) {
    for (const t of new Set(seen)) x[t] = x[t] < 0 ? x[t] * f.repetitionPenalty : x[t] / f.repetitionPenalty;
  }
  const T = f.temperature > 0 ? f.temperature : 1;
  const token = f.temperature <= 0 ? argmax(x) : draw(x, f, rng);
  return { token, logprob: logSoftmaxAt(logits, token, T) };
}

function argmax(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

function logSoftmaxAt(logits: Float32Array, i: number, T: number): number {
  let m = -Infinity;
  for (let j = 0; j < logits.length; j++) m = Math.max(m, logits[j] / T);
  let s = 0;
  for (let j = 0; j < logits.length; j++) s += Math.exp(logits[j] / T - m);
  return logits[i] / T - m - Math.log(s);
}

/** Probabilities after temperature, top-k, top-p and min-p, then one draw. */
function draw(x: Float32Array, f: TokenFilters, rng: Rng): number {
  const V = x.length;
  let m = -Infinity;
  for (let i = 0; i < V; i++) {
    x[i] /= f.temperature;
    m = Math.max(m, x[i]);
  }
  const p = new Float64Array(V);
  let sum = 0;
  for (let i = 0; i < V; i++) {
    p[i] = Math.exp(x[i] - m);
    sum += p[i];
  }
  for (let i = 0; i < V; i++) p[i] /= sum;
  let keep = candidates(p, f);
  if (f.minP > 0) {
    const top = Math.max(...keep.map((i) => p[i]));
    keep = keep.filter((i) => p[i] >= f.minP * top);
  }
  let total = 0;
  for (const i of keep) total += p[i];
  let u = rng.next() * total;
  for (const i of keep) {
    u -= p[i];
    if (u <= 0) return i;
  }
  return keep[keep.length - 1];
}

/** Indices surviving top-k and top-p, most likely first. */
function candidates(p: Float64Array, f: TokenFilters): number[] {
  const V = p.length;
  // Tokens below (1 - top_p) / V together hold less than 1 - top_p of the mass, so they can never be in
  // the nucleus: skipping them before the sort is exact and much cheaper for large vocabularies.
  const floor = f.topP < 1 ? (1 - f.topP) / V : 0;
  let idx: number[] = [];
  for (let i = 0; i < V; i++) if (p[i] > 0 && p[i] >= floor) idx.push(i);
  if (f.topP >= 1 && f.topK <= 0) return idx;
  idx.sort((a, b) => p[b] - p[a]);
  if (f.topK > 0) idx = idx.slice(0, f.topK);
  if (f.topP < 1) {
    let cum = 0,
      n = 0;
    while (n < idx.length && cum < f.topP) cum += p[idx[n++]];
    idx = idx.slice(0, Math.max(1, n));
  }
  return idx;
}
