// The crafting world's recipe book, of our own making: a workshop where logs become planks, ore becomes
// iron, reeds become paper, and these become furniture, tools and books. Base items (no recipe) are had
// with `get`; every other item is crafted in batches: one batch consumes the ingredients and makes `count`.
// An item's depth is the longest chain of crafts below it (1 for a plank, 4 for a bookcase).

export interface Recipe {
  output: string;
  count: number;
  ingredients: [item: string, n: number][];
}

const r = (output: string, count: number, ...ingredients: [string, number][]): Recipe => ({
  output,
  count,
  ingredients,
});

export const BASE_ITEMS = [
  'log',
  'ore',
  'coal',
  'sand',
  'clay',
  'flax',
  'wheat',
  'salt',
  'reed',
  'hide',
  'resin',
  'wax',
] as const;

export const RECIPES: Recipe[] = [
  r('plank', 4, ['log', 1]),
  r('iron bar', 1, ['ore', 2], ['coal', 1]),
  r('glass', 2, ['sand', 3], ['coal', 1]),
  r('brick', 4, ['clay', 2], ['coal', 1]),
  r('thread', 3, ['flax', 2]),
  r('flour', 2, ['wheat', 3]),
  r('paper', 2, ['reed', 3]),
  r('leather', 1, ['hide', 1], ['salt', 1]),
  r('glue', 2, ['resin', 2]),
  r('ink', 2, ['coal', 1], ['resin', 1]),
  r('basket', 1, ['reed', 6]),
  r('dowel', 4, ['plank', 1]),
  r('nail', 8, ['iron bar', 1]),
  r('cloth', 1, ['thread', 3]),
  r('rope', 1, ['thread', 6]),
  r('bread', 1, ['flour', 2], ['salt', 1]),
  r('candle', 2, ['wax', 1], ['thread', 1]),
  r('saw', 1, ['iron bar', 2], ['plank', 1]),
  r('oven', 1, ['brick', 8], ['iron bar', 2]),
  r('chimney', 1, ['brick', 12], ['iron bar', 1]),
  r('map', 1, ['paper', 2], ['ink', 1]),
  r('book', 1, ['paper', 4], ['leather', 1], ['glue', 1]),
  r('journal', 1, ['paper', 6], ['leather', 1], ['thread', 2]),
  r('shelf', 1, ['plank', 4], ['nail', 4]),
  r('stool', 1, ['plank', 3], ['dowel', 3]),
  r('table', 1, ['plank', 6], ['dowel', 4], ['nail', 8]),
  r('hammer', 1, ['iron bar', 1], ['dowel', 1]),
  r('window', 1, ['glass', 4], ['plank', 2], ['nail', 4]),
  r('lantern', 1, ['glass', 2], ['iron bar', 1], ['candle', 1]),
  r('sail', 1, ['cloth', 4], ['rope', 2]),
  r('picnic basket', 1, ['basket', 1], ['bread', 2], ['cloth', 1]),
  r('bookcase', 1, ['shelf', 3], ['book', 2]),
  r('boat', 1, ['plank', 10], ['nail', 16], ['sail', 1]),
  r('writing desk', 1, ['table', 1], ['lantern', 1], ['journal', 1]),
];

export const RECIPE = new Map(RECIPES.map((x) => [x.output, x]));
export const ALL_ITEMS: string[] = [...BASE_ITEMS, ...RECIPES.map((x) => x.output)];
export const isBase = (item: string) => (BASE_ITEMS as readonly string[]).includes(item);

export function depth(item: string): number {
  const rec = RECIPE.get(item);
  return rec ? 1 + Math.max(...rec.ingredients.map(([i]) => depth(i))) : 0;
}

/** Every item in `item`'s recipe tree below it (crafted intermediates and base items), each once. */
export function treeOf(item: string, out = new Set<string>()): Set<string> {
  for (const [i] of RECIPE.get(item)?.ingredients ?? []) {
    out.add(i);
    treeOf(i, out);
  }
  return out;
}

/** The command that crafts one batch, as the recipe list shows it: "craft 4 plank using 1 log". */
export const recipeLine = (x: Recipe) =>
  `craft ${x.count} ${x.output} using ${x.ingredients.map(([i, n]) => `${n} ${i}`).join(', ')}`;
