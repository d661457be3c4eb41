// The grid world's state, its seeded generation and its geometry. One or two square rooms side by side;
// with two, the wall between them has one door (closed, maybe locked; a locked door opens only for an
// agent carrying the key of its colour, which is always in the west room where the agent starts).
// Objects lie on floor squares and do not block the way; the agent reaches what is on its square or
// on one of the four next to it.
//
//   x grows east, y grows south. Walls: x = 0, x = width - 1, y = 0, y = height - 1, and (two rooms)
//   x = size + 1, the dividing wall, with the door at (size + 1, door.y).
import { Rng } from '../../engine/rng.ts';

export const COLORS = ['red', 'green', 'blue', 'purple', 'yellow', 'grey'] as const;
export const KINDS = ['key', 'ball', 'box'] as const;
export type Color = (typeof COLORS)[number];
export type Kind = (typeof KINDS)[number];
export type MissionKind = 'go_to' | 'pick_up' | 'open';
export type Dir = 'north' | 'south' | 'east' | 'west';
export const STEP: Record<Dir, [number, number]> = { north: [0, -1], south: [0, 1], east: [1, 0], west: [-1, 0] };

export interface Pos {
  x: number;
  y: number;
}
export interface Thing extends Pos {
  color: Color;
  kind: Kind;
}
export interface Door extends Pos {
  color: Color;
  locked: boolean;
  open: boolean;
}
export interface Mission {
  kind: MissionKind;
  /** Index into `things` (go_to, pick_up); -1 for open, whose target is the door. */
  target: number;
}
export interface World {
  size: number;
  rooms: 1 | 2;
  width: number;
  height: number;
  agent: Pos;
  things: Thing[];
  door: Door | null;
  /** Index into `things` of what the agent carries, or null. A carried thing's x, y are stale. */
  carrying: number | null;
  mission: Mission;
}

export interface GenOptions {
  size: number;
  rooms: 1 | 2;
  objects: number;
  locked_chance: number;
  missions: MissionKind[];
}

export const thingName = (t: { color: Color; kind: Kind }) => `${t.color} ${t.kind}`;
export const reach = (a: Pos, b: Pos) => Math.abs(a.x - b.x) + Math.abs(a.y - b.y) <= 1;

/** A fresh world for `seed`: the same seed and options always give the same world. */
export function generate(seed: number, o: GenOptions): World {
  const rng = new Rng(seed);
  const width = o.rooms === 2 ? 2 * o.size + 3 : o.size + 2;
  const door: Door | null =
    o.rooms === 2
      ? {
          x: o.size + 1,
          y: 1 + rng.int(o.size),
          color: pick(rng, COLORS),
          locked: rng.next() < o.locked_chance,
          open: false,
        }
      : null;
  const missions = o.missions.filter((m) => m !== 'open' || door);
  const kind = pick(rng, missions);
  const floor = floorCells(o.size, o.rooms);
  const west = floor.filter((p) => p.x <= o.size);
  const taken = new Set<string>();
  const place = (cells: Pos[]): Pos => {
    const free = cells.filter((p) => !taken.has(key(p)));
    const p = free[rng.int(free.length)];
    taken.add(key(p));
    return p;
  };
  const pairs = shuffle(
    rng,
    COLORS.flatMap((color) => KINDS.map((k) => ({ color, kind: k }))),
  );
  const things: Thing[] = [];
  if (door?.locked) things.push({ color: door.color, kind: 'key', ...place(west) });
  for (const p of pairs) {
    if (things.length >= o.objects) break;
    if (!things.some((t) => t.color === p.color && t.kind === p.kind)) things.push({ ...p, ...place(floor) });
  }
  const target = kind === 'open' ? -1 : rng.int(things.length);
  // the agent starts on a free west square, out of reach of a go_to target (else the episode is won at once)
  const start = west.filter((p) => !taken.has(key(p)) && !(kind === 'go_to' && reach(p, things[target])));
  const agent = start[rng.int(start.length)];
  return {
    size: o.size,
    rooms: o.rooms,
    width,
    height: o.size + 2,
    agent,
    things,
    door,
    carrying: null,
    mission: { kind, target },
  };
}

function floorCells(size: number, rooms: 1 | 2): Pos[] {
  const out: Pos[] = [];
  for (let y = 1; y <= size; y++)
    for (let x = 1; x <= size; x++) {
      out.push({ x, y });
      if (rooms === 2) out.push({ x: x + size + 1, y });
    }
  return out.sort((a, b) => a.y - b.y || a.x - b.x);
}

const key = (p: Pos) => `${p.x},${p.y}`;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];

function shuffle<T>(rng: Rng, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/** Can the agent stand on (x, y)? Floor, or the door's square while it is open. */
export function passable(w: World, x: number, y: number): boolean {
  if (x <= 0 || y <= 0 || x >= w.width - 1 || y >= w.height - 1) return false;
  if (w.rooms === 2 && x === w.size + 1) return !!w.door && w.door.y === y && w.door.open;
  return true;
}

/** Fewest moves until `target` is within reach (on or next to the agent's square); Infinity if walled off. */
export function distance(w: World, target: Pos): number {
  const seen = new Set([key(w.agent)]);
  let frontier = [w.agent];
  for (let d = 0; frontier.length; d++) {
    if (frontier.some((p) => reach(p, target))) return d;
    const next: Pos[] = [];
    for (const p of frontier)
      for (const [dx, dy] of Object.values(STEP)) {
        const q = { x: p.x + dx, y: p.y + dy };
        if (passable(w, q.x, q.y) && !seen.has(key(q))) (seen.add(key(q)), next.push(q));
      }
    frontier = next;
  }
  return Infinity;
}

/** Where a thing is now: the agent's square while carried. */
export const whereIs = (w: World, i: number): Pos => (w.carrying === i ? w.agent : w.things[i]);

export type Room = 'west' | 'east' | 'doorway';
export function roomOf(w: World, p: Pos): Room {
  if (w.rooms === 1 || p.x <= w.size) return 'west';
  return p.x === w.size + 1 ? 'doorway' : 'east';
}

/** The first move of a shortest path that brings `target` within reach; null when already there or walled off. */
export function firstStep(w: World, target: Pos): Dir | null {
  const first = new Map<string, Dir>([[key(w.agent), 'north']]);
  let frontier: [Pos, Dir | null][] = [[w.agent, null]];
  while (frontier.length) {
    const next: [Pos, Dir | null][] = [];
    for (const [p, d] of frontier) {
      if (reach(p, target)) return d;
      for (const [dir, [dx, dy]] of Object.entries(STEP) as [Dir, [number, number]][]) {
        const q = { x: p.x + dx, y: p.y + dy };
        if (passable(w, q.x, q.y) && !first.has(key(q))) (first.set(key(q), d ?? dir), next.push([q, d ?? dir]));
      }
    }
    frontier = next;
  }
  return null;
}

/** Index of the key that opens the door, or -1. */
export const doorKey = (w: World) =>
  w.door ? w.things.findIndex((t) => t.kind === 'key' && t.color === w.door!.color) : -1;

/**
 * What the agent should reach next: the door's key while a locked door stands between it and the goal, then
 * the door, then the goal itself. Progress rewards are counted against this target.
 */
export function currentTarget(w: World): { id: 'key' | 'door' | 'goal'; pos: Pos } {
  const m = w.mission,
    door = w.door;
  const goal = m.kind === 'open' ? door! : whereIs(w, m.target);
  const blocked = m.kind === 'open' ? !door!.open : distance(w, goal) === Infinity;
  if (blocked && door!.locked && w.carrying !== doorKey(w)) return { id: 'key', pos: whereIs(w, doorKey(w)) };
  if (blocked) return { id: 'door', pos: door! };
  return { id: 'goal', pos: goal };
}

export function succeeded(w: World): boolean {
  const m = w.mission;
  if (m.kind === 'open') return !!w.door?.open;
  if (m.kind === 'pick_up') return w.carrying === m.target;
  return reach(w.agent, whereIs(w, m.target));
}
