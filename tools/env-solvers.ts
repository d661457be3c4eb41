// Turns the scripted solvers need on the built-in environments, over many seeds: the figures the README
// gives for the default turn limits. Run: npx tsx tools/env-solvers.ts [seeds=2000]
import '../src/env/builtins.ts';
import { envDef } from '../src/env/registry.ts';
import type { GridWorld } from '../src/env/grid/index.ts';
import type { Crafting } from '../src/env/craft/index.ts';
import { gridSolverAction } from '../src/env/grid/solver.ts';
import { craftingPlan } from '../src/env/craft/solver.ts';

const seeds = Number(process.argv[2] ?? 2000);

function report(label: string, turns: number[], returns: number[]) {
  const s = [...turns].sort((a, b) => a - b);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  console.log(
    `${label}: ${seeds} seeds, turns mean ${mean(s).toFixed(1)}, median ${q(0.5)}, 95th percentile ${q(0.95)}, max ${s.at(-1)}; return mean ${mean(returns).toFixed(3)}`,
  );
}

for (const options of [{}, { size: 8, objects: 8 }, { rooms: 1 }]) {
  const turns: number[] = [],
    returns: number[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    const env = envDef('grid_world').create(options) as GridWorld;
    env.reset(seed);
    let t = 0,
      ret = 0;
    for (let done = false; !done; t++) {
      const r = env.step(gridSolverAction(env.world));
      ret += r.reward;
      done = r.done;
    }
    turns.push(t);
    returns.push(ret);
  }
  report(`grid_world ${JSON.stringify(options)}`, turns, returns);
}

for (const options of [{}, { min_depth: 4, max_depth: 4 }]) {
  const turns: number[] = [],
    returns: number[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    const env = envDef('crafting').create(options) as Crafting;
    const plan = craftingPlan(env.reset(seed));
    turns.push(plan.length);
    returns.push(plan.reduce((a, act) => a + env.step(act).reward, 0));
  }
  report(`crafting ${JSON.stringify(options)}`, turns, returns);
}
