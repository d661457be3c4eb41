// A scripted grid-world player that reads the world's state: it fetches the door's key when a locked door
// is in the way, opens the door, then goes to the goal (dropping what it carries before a pick-up). Tests
// use it to show that every generated world can be solved within the turn limit; it is not a baseline
// for models, which see only the text.
import { thingName, currentTarget, doorKey, firstStep, reach, roomOf, whereIs, type World } from './world.ts';

export function gridSolverAction(w: World): string {
  const t = currentTarget(w);
  if (t.id === 'key') {
    if (w.carrying !== null) return dropHere(w);
    return reach(w.agent, t.pos) ? `pick up the ${thingName(w.things[doorKey(w)])}` : move(w, t.pos);
  }
  if (t.id === 'door') return reach(w.agent, t.pos) ? 'open door' : move(w, t.pos);
  const m = w.mission;
  if (m.kind === 'pick_up' && w.carrying !== m.target) {
    if (w.carrying !== null) return dropHere(w);
    const goal = whereIs(w, m.target);
    return reach(w.agent, goal) ? `pick up the ${thingName(w.things[m.target])}` : move(w, goal);
  }
  return move(w, t.pos);
}

function move(w: World, to: { x: number; y: number }): string {
  const dir = firstStep(w, to);
  if (!dir) throw new Error('grid solver: target unreachable');
  return `go ${dir}`;
}

/** Drop where the agent stands, or first step out of the doorway (nothing may be dropped there). */
function dropHere(w: World): string {
  if (roomOf(w, w.agent) !== 'doorway') return 'drop';
  return currentTarget(w).pos.x > w.agent.x ? 'go east' : 'go west';
}
