// What `get` and `craft` do to the inventory, and the sentence that says so. Nothing that cannot be done
// changes the inventory: a craft either makes everything asked for or nothing.
import type { CraftAction } from './parse.ts';
import { RECIPE, isBase, recipeLine } from './recipes.ts';

export type Inventory = Map<string, number>;
const MAX_AT_ONCE = 99;

const have = (inv: Inventory, item: string) => inv.get(item) ?? 0;
const add = (inv: Inventory, item: string, n: number) => {
  const left = have(inv, item) + n;
  if (left > 0) inv.set(item, left);
  else inv.delete(item);
};

export function inventoryText(inv: Inventory): string {
  const items = [...inv.entries()].sort(([a], [b]) => a.localeCompare(b));
  return items.length ? `Inventory: ${items.map(([i, n]) => `${n} ${i}`).join(', ')}.` : 'Your inventory is empty.';
}

function badCount(n: number | null, verb: string): string | null {
  if (n === null || (n >= 1 && n <= MAX_AT_ONCE)) return null;
  return `You can ${verb} between 1 and ${MAX_AT_ONCE} at a time, not ${n}.`;
}

export function getItems(inv: Inventory, a: Extract<CraftAction, { kind: 'get' }>): string {
  if (!a.item)
    return a.named ? `There is no item called "${a.named}".` : 'Name an item to get, for example: get 2 log.';
  if (!isBase(a.item)) return `${a.item} cannot be got directly: craft it with a crafting command.`;
  const bad = badCount(a.n, 'get');
  if (bad) return bad;
  const n = a.n ?? 1;
  add(inv, a.item, n);
  return `Got ${n} ${a.item}. You have ${have(inv, a.item)} ${a.item}.`;
}

export function craft(
  inv: Inventory,
  a: Extract<CraftAction, { kind: 'craft' }>,
  known: Set<string>,
): { message: string; crafted?: string } {
  if (!a.item)
    return {
      message: a.named
        ? `There is no item called "${a.named}".`
        : 'Name an item to craft, for example: craft 4 plank using 1 log.',
    };
  if (isBase(a.item)) return { message: `${a.item} is a base item: get it with get <n> ${a.item}.` };
  if (!known.has(a.item)) return { message: `You know no crafting command for ${a.item}; use the listed ones.` };
  const rec = RECIPE.get(a.item)!;
  if (
    a.using &&
    !sameItems(
      a.using,
      rec.ingredients.map(([i]) => i),
    )
  )
    return { message: `Those are not the ingredients of ${a.item}; the command is: ${recipeLine(rec)}.` };
  const bad = badCount(a.n, 'craft');
  if (bad) return { message: bad };
  const batches = Math.ceil((a.n ?? rec.count) / rec.count);
  const short = rec.ingredients
    .filter(([i, n]) => have(inv, i) < n * batches)
    .map(([i, n]) => `${n * batches} ${i} (you have ${have(inv, i)})`);
  if (short.length)
    return { message: `Could not craft ${batches * rec.count} ${a.item}: you need ${short.join(', ')}.` };
  for (const [i, n] of rec.ingredients) add(inv, i, -n * batches);
  add(inv, a.item, batches * rec.count);
  const used = rec.ingredients.map(([i, n]) => `${n * batches} ${i}`).join(', ');
  return {
    message: `Crafted ${batches * rec.count} ${a.item} using ${used}. You have ${have(inv, a.item)} ${a.item}.`,
    crafted: a.item,
  };
}

const sameItems = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
