// What each grid-world action does to the world, and the sentence that says so. Actions that cannot be
// done (a wall, a locked door without its key, nothing within reach) change nothing and say why.
import { offset } from './describe.ts';
import { doorKey, passable, reach, roomOf, STEP, thingName, type World } from './world.ts';
import type { GridAction } from './parse.ts';

export interface Outcome {
  message: string;
  /** Index of the thing picked up this turn, if any. */
  picked?: number;
  /** True when this turn opened the door. */
  opened?: boolean;
}

export function applyAction(w: World, a: GridAction): Outcome {
  switch (a.kind) {
    case 'go':
      return go(w, a.dir);
    case 'pick_up':
      return pickUp(w, a);
    case 'open':
      return open(w, a.color);
    case 'drop':
      return drop(w);
    case 'look':
      return { message: 'You look around.' };
  }
}

function go(w: World, dir: keyof typeof STEP): Outcome {
  const [dx, dy] = STEP[dir],
    x = w.agent.x + dx,
    y = w.agent.y + dy;
  if (passable(w, x, y)) {
    w.agent = { x, y };
    return { message: `You go ${dir}.` };
  }
  const d = w.door;
  if (d && d.x === x && d.y === y) return { message: `The ${d.color} door is closed; open it first.` };
  return { message: `A wall blocks the way ${dir}; you stay where you are.` };
}

function pickUp(w: World, a: Extract<GridAction, { kind: 'pick_up' }>): Outcome {
  const named = `${a.color ?? ''} ${a.object ?? 'object'}`.trim();
  if (w.carrying !== null)
    return { message: `You already carry the ${thingName(w.things[w.carrying])}; drop it first.` };
  const matches = w.things
    .map((t, i) => ({ t, i }))
    .filter(({ t }) => (!a.color || t.color === a.color) && (!a.object || t.kind === a.object));
  const near = matches.filter(({ t }) => reach(w.agent, t));
  if (near.length === 1) {
    w.carrying = near[0].i;
    return { message: `You pick up the ${thingName(near[0].t)}.`, picked: near[0].i };
  }
  if (near.length > 1)
    return { message: `Which one? Within reach: ${near.map(({ t }) => `the ${thingName(t)}`).join(', ')}.` };
  const seen = matches.find(({ t }) => sameSide(w, t));
  if (seen)
    return {
      message: `The ${thingName(seen.t)} is not within reach (${offset(w.agent, seen.t)}); go next to it first.`,
    };
  return { message: `You see no ${named} within reach.` };
}

function sameSide(w: World, p: { x: number; y: number }): boolean {
  const a = roomOf(w, w.agent),
    b = roomOf(w, p);
  return a === 'doorway' || a === b;
}

function open(w: World, color: string | undefined): Outcome {
  const d = w.door;
  if (!d) return { message: 'There is no door in this world.' };
  if (color && color !== d.color) return { message: `There is no ${color} door; the door is ${d.color}.` };
  if (!reach(w.agent, d))
    return { message: `The ${d.color} door is not within reach (${offset(w.agent, d)}); go next to it first.` };
  if (d.open) return { message: `The ${d.color} door is already open.` };
  if (d.locked) {
    if (w.carrying !== doorKey(w)) return { message: `The ${d.color} door is locked; bring the ${d.color} key.` };
    d.locked = false;
    d.open = true;
    return { message: `You unlock the ${d.color} door with the ${d.color} key and open it.`, opened: true };
  }
  d.open = true;
  return { message: `You open the ${d.color} door.`, opened: true };
}

function drop(w: World): Outcome {
  if (w.carrying === null) return { message: 'You carry nothing to drop.' };
  if (roomOf(w, w.agent) === 'doorway') return { message: 'You cannot drop things in the doorway; step into a room.' };
  const t = w.things[w.carrying];
  t.x = w.agent.x;
  t.y = w.agent.y;
  w.carrying = null;
  return { message: `You drop the ${thingName(t)}.` };
}
