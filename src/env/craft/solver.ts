// A scripted crafting player that reads only the first observation, as a model must: the goal line, the
// listed crafting commands, the base items. It plans depth-first, getting exactly what is missing and
// crafting each intermediate in as many batches as needed, and returns the whole plan as actions. Tests use
// it to show that every drawn episode can be won within the turn limit.
//
//   const plan = craftingPlan(env.reset(seed))   // ['get 1 log', 'craft 4 plank using 1 log', ...]

interface ParsedRecipe {
  count: number;
  ingredients: [string, number][];
}

export function craftingPlan(overview: string): string[] {
  const goal = /^Goal: craft 1 (.+)\.$/m.exec(overview)?.[1];
  if (!goal) throw new Error('crafting solver: no goal line');
  const recipes = new Map<string, ParsedRecipe>();
  for (const m of overview.matchAll(/^craft (\d+) (.+?) using (.+)$/gm)) {
    const ingredients = m[3].split(', ').map((p): [string, number] => {
      const [, n, item] = /^(\d+) (.+)$/.exec(p)!;
      return [item, Number(n)];
    });
    recipes.set(m[2], { count: Number(m[1]), ingredients });
  }
  const inv = new Map<string, number>(),
    plan: string[] = [];
  const has = (i: string) => inv.get(i) ?? 0;
  const need = (item: string, n: number): void => {
    if (has(item) >= n) return;
    const rec = recipes.get(item);
    if (!rec) {
      plan.push(`get ${n - has(item)} ${item}`);
      inv.set(item, n);
      return;
    }
    const batches = Math.ceil((n - has(item)) / rec.count);
    // crafting one ingredient may use up another (a dowel is made of planks): repeat until all are there
    while (rec.ingredients.some(([i, q]) => has(i) < q * batches))
      for (const [i, q] of rec.ingredients) need(i, q * batches);
    for (const [i, q] of rec.ingredients) inv.set(i, has(i) - q * batches);
    inv.set(item, has(item) + batches * rec.count);
    const using = rec.ingredients.map(([i, q]) => `${q} ${i}`).join(', ');
    plan.push(`craft ${batches * rec.count} ${item} using ${using}`);
  };
  need(goal, 1);
  return plan;
}
