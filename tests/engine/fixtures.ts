// Locates the Hugging Face reference fixtures: every model folder under $WEBGRPO_FIXTURES, or
// fixtures/hf-tiny in the repository. Each folder has config.json, model.safetensors,
// lora/ (a PEFT adapter), reference.safetensors and reference.json.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensors, type StTensor } from '../../src/engine/model/safetensors.ts';

export const FIXTURE_ROOT =
  process.env.WEBGRPO_FIXTURES ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/hf-tiny');

export function fixtureDirs(): string[] {
  if (!fs.existsSync(FIXTURE_ROOT)) return [];
  return fs
    .readdirSync(FIXTURE_ROOT)
    .map((d) => path.join(FIXTURE_ROOT, d))
    .filter((d) => fs.existsSync(path.join(d, 'reference.json')) && fs.existsSync(path.join(d, 'config.json')))
    .sort();
}

export interface Reference {
  meta: Record<string, any>;
  t: Map<string, StTensor>;
}

export function loadReference(dir: string): Reference {
  return {
    meta: JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8')),
    t: readSafetensors(fs.readFileSync(path.join(dir, 'reference.safetensors'))),
  };
}

/** Rows of a 2-D reference tensor as number arrays. */
export function rows(t: StTensor): number[][] {
  const [r, c] = t.shape.length === 1 ? [1, t.shape[0]] : t.shape;
  return Array.from({ length: r }, (_, i) => Array.from(t.data.subarray(i * c, (i + 1) * c)));
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
