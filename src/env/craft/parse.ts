// The crafting world's action language, read tolerantly: case, punctuation, plurals ("planks", "iron
// bars", "shelves"), number words and filler are all fine; the first action found in the turn counts.
//
//   parseCraftAction('Get 3 logs.')                               // { kind: 'get', n: 3, item: 'log' }
//   parseCraftAction('craft 4 planks using 1 log')                // { kind: 'craft', n: 4, item: 'plank', using: ['log'] }
//   parseCraftAction('make a table')                              // { kind: 'craft', n: null, item: 'table', using: null }
import { actionWords } from '../text.ts';
import { ALL_ITEMS } from './recipes.ts';

export type CraftAction =
  | { kind: 'get'; n: number | null; item: string | null; named: string }
  | { kind: 'craft'; n: number | null; item: string | null; named: string; using: string[] | null }
  | { kind: 'inventory' }
  | { kind: 'look' };

const GET = new Set(['get', 'fetch', 'gather', 'collect', 'obtain', 'take', 'mine', 'chop', 'grab', 'buy']);
const CRAFT = new Set(['craft', 'make', 'build', 'create', 'assemble', 'smelt', 'cook', 'produce']);
const INVENTORY = new Set(['inventory', 'inv', 'items']);
const LOOK = new Set(['look', 'recipes', 'recipe', 'goal', 'help']);
const USING = new Set(['using', 'with', 'from']);
const NUMBERS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
};

/** Every spelling of an item's name that is read as that item: singular and plural. */
const NAMES = new Map<string, string>();
for (const item of ALL_ITEMS) {
  const words = item.split(' '),
    last = words.pop()!;
  const plurals = [last, `${last}s`, `${last}es`, last.replace(/f$/, 'ves')];
  for (const p of plurals) NAMES.set([...words, p].join(' '), item);
}

/** The item named at ws[j] (longest name first) and how many words it takes. */
function itemAt(ws: string[], j: number): [string, number] | null {
  for (let len = 3; len >= 1; len--) {
    const item = NAMES.get(ws.slice(j, j + len).join(' '));
    if (item) return [item, len];
  }
  return null;
}

const numberOf = (w: string) => (/^\d+$/.test(w) ? Number(w) : NUMBERS[w]);

/** "<n> <item>" after a verb at i: the number if any, the item if known, and the words that named it. */
function object(ws: string[], i: number): { n: number | null; item: string | null; named: string; end: number } {
  let j = i + 1,
    n: number | null = null;
  const stop = Math.min(ws.length, i + 6);
  for (; j < stop; j++) {
    if (USING.has(ws[j])) break;
    if (n === null && numberOf(ws[j]) !== undefined) {
      n = numberOf(ws[j]);
      continue;
    }
    const hit = itemAt(ws, j);
    if (hit) return { n, item: hit[0], named: hit[0], end: j + hit[1] };
  }
  const named = ws
    .slice(i + 1, stop)
    .filter((w) => numberOf(w) === undefined && !['the', 'some', 'of', 'more'].includes(w))
    .join(' ');
  return { n, item: null, named, end: j };
}

/** The items named after "using" (or "with", "from"), numbers ignored: the recipe decides the counts. */
function ingredients(ws: string[], from: number): string[] | null {
  const at = ws.findIndex((w, k) => k >= from && USING.has(w));
  if (at < 0) return null;
  const out: string[] = [];
  for (let j = at + 1; j < ws.length; j++) {
    if (GET.has(ws[j]) || CRAFT.has(ws[j])) break;
    const hit = itemAt(ws, j);
    if (hit) {
      if (!out.includes(hit[0])) out.push(hit[0]);
      j += hit[1] - 1;
    }
  }
  return out;
}

export function parseCraftAction(text: string): CraftAction | null {
  const ws = actionWords(text);
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i];
    if (GET.has(w)) {
      const o = object(ws, i);
      return { kind: 'get', n: o.n, item: o.item, named: o.named };
    }
    if (CRAFT.has(w)) {
      const o = object(ws, i);
      return { kind: 'craft', n: o.n, item: o.item, named: o.named, using: ingredients(ws, o.end) };
    }
    if (INVENTORY.has(w)) return { kind: 'inventory' };
    if (LOOK.has(w)) return { kind: 'look' };
  }
  return null;
}
