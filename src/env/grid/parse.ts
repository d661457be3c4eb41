// The grid world's action language, read tolerantly: the first action found in the turn counts, whatever
// words surround it ("I'll go north now." is `go north`; "Pick up the RED key!" is `pick up red key`).
//
//   parseGridAction('move up')            // { kind: 'go', dir: 'north' }
//   parseGridAction('grab the blue ball')  // { kind: 'pick_up', color: 'blue', object: 'ball' }
import { actionWords } from '../text.ts';
import { COLORS, KINDS, type Color, type Dir, type Kind } from './world.ts';

export type GridAction =
  | { kind: 'go'; dir: Dir }
  | { kind: 'pick_up'; color?: Color; object?: Kind }
  | { kind: 'open'; color?: Color }
  | { kind: 'drop' }
  | { kind: 'look' };

const DIRS: Record<string, Dir> = { north: 'north', south: 'south', east: 'east', west: 'west' };
// up/down/left/right only after a movement verb: "pick it up" must not read as a move
const RELATIVE: Record<string, Dir> = { up: 'north', down: 'south', right: 'east', left: 'west' };
const MOVE = new Set(['go', 'move', 'walk', 'step', 'head', 'turn']);
const PICK = new Set(['pick', 'pickup', 'take', 'grab', 'get', 'collect']);
const OPEN = new Set(['open', 'unlock', 'toggle']);
const DROP = new Set(['drop', 'put', 'release']);
const LOOK = new Set(['look', 'observe', 'inspect', 'describe', 'inventory']);
const PLURALS: Record<string, Kind> = { keys: 'key', balls: 'ball', boxes: 'box' };
const VERBS = [MOVE, PICK, OPEN, DROP, LOOK];

/** The colour and kind named in `words` (British or American grey, singular or plural). */
function spec(words: string[]): { color?: Color; object?: Kind } {
  const out: { color?: Color; object?: Kind } = {};
  for (const w of words) {
    const c = w === 'gray' ? 'grey' : w;
    if (!out.color && (COLORS as readonly string[]).includes(c)) out.color = c as Color;
    const k = (KINDS as readonly string[]).includes(w) ? (w as Kind) : PLURALS[w];
    if (!out.object && k) out.object = k;
  }
  return out;
}

/** The words after position i up to the next verb (at most 4). */
function argsAt(ws: string[], i: number): string[] {
  const out: string[] = [];
  for (const w of ws.slice(i + 1, i + 5)) {
    if (VERBS.some((v) => v.has(w))) break;
    out.push(w);
  }
  return out;
}

export function parseGridAction(text: string): GridAction | null {
  const ws = actionWords(text);
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i],
      rest = argsAt(ws, i);
    if (DIRS[w]) return { kind: 'go', dir: DIRS[w] };
    if (MOVE.has(w)) {
      const d = rest.find((r) => DIRS[r] || RELATIVE[r]);
      if (d) return { kind: 'go', dir: DIRS[d] ?? RELATIVE[d] };
    }
    if (PICK.has(w)) return { kind: 'pick_up', ...spec(rest) };
    if (OPEN.has(w)) return { kind: 'open', color: spec(rest).color };
    if (DROP.has(w)) return { kind: 'drop' };
    if (LOOK.has(w)) return { kind: 'look' };
  }
  return null;
}
