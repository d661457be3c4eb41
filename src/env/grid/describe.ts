// What the agent sees, as text: its room, what it carries, each visible thing with its offset in steps,
// and how far it can walk in each direction. The agent sees its own room (from the doorway, both rooms)
// and the door in its walls, nothing behind a wall.
//
//   You are in the west room. You carry nothing.
//   You see:
//   - the red key: 2 north and 1 east
//   - the blue door (closed, locked): 3 east
//   Open ground: north 1, south 3, west 0, east 2.
import { passable, roomOf, STEP, thingName, type Dir, type Pos, type World } from './world.ts';

export function missionText(w: World): string {
  const m = w.mission;
  if (m.kind === 'open') return `open the ${w.door!.color} door`;
  const name = thingName(w.things[m.target]);
  return m.kind === 'go_to' ? `go to the ${name}` : `pick up the ${name}`;
}

/** "2 north and 1 east", or "here". */
export function offset(from: Pos, to: Pos): string {
  const dy = to.y - from.y,
    dx = to.x - from.x;
  const parts: string[] = [];
  if (dy) parts.push(`${Math.abs(dy)} ${dy < 0 ? 'north' : 'south'}`);
  if (dx) parts.push(`${Math.abs(dx)} ${dx < 0 ? 'west' : 'east'}`);
  return parts.join(' and ') || 'here';
}

function visible(w: World, p: Pos): boolean {
  const mine = roomOf(w, w.agent),
    theirs = roomOf(w, p);
  return mine === 'doorway' || theirs === mine || theirs === 'doorway';
}

/** Squares the agent can walk in a straight line before a wall or a closed door. */
export function openGround(w: World, dir: Dir): number {
  const [dx, dy] = STEP[dir];
  let n = 0;
  while (passable(w, w.agent.x + dx * (n + 1), w.agent.y + dy * (n + 1))) n++;
  return n;
}

export function describe(w: World): string {
  const room = roomOf(w, w.agent);
  const where =
    room === 'doorway'
      ? 'You stand in the open doorway between the two rooms.'
      : w.rooms === 1
        ? 'You are in the room.'
        : `You are in the ${room} room.`;
  const carry = w.carrying === null ? 'You carry nothing.' : `You carry the ${thingName(w.things[w.carrying])}.`;
  const seen: string[] = [];
  w.things.forEach((t, i) => {
    if (i !== w.carrying && visible(w, t)) seen.push(`- the ${thingName(t)}: ${offset(w.agent, t)}`);
  });
  const d = w.door;
  if (d) {
    const state = d.open ? 'open' : d.locked ? 'closed, locked' : 'closed';
    seen.push(`- the ${d.color} door (${state}): ${offset(w.agent, d)}`);
  }
  const ground = (['north', 'south', 'west', 'east'] as Dir[]).map((dir) => `${dir} ${openGround(w, dir)}`);
  return [
    `${where} ${carry}`,
    seen.length ? 'You see:' : 'You see nothing else.',
    ...seen,
    `Open ground: ${ground.join(', ')}.`,
  ].join('\n');
}
