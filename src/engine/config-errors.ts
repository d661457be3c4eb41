// Turns zod's issues about a run configuration into sentences that say what to do. An unknown key names
// the nearest known one (edit distance, via fastest-levenshtein), also when it belongs to another section:
//
//   grpo.betaa: unknown key; did you mean grpo.beta?
//   grpo.learning_rate: unknown key; did you mean optim.learning_rate?
//
// The CLI, links, checkpoints and the app all get their messages from here (through parseRunConfig).
import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import { rewardOptionKeys } from '../reward/options.ts';

type Def = { type: string; innerType?: Node; element?: Node; shape?: Record<string, Node>; in?: Node };
type Node = { _zod: { def: Def } };

/** The object schema's keys at `path` (indices of arrays skipped), or null when the path leads elsewhere. */
function shapeAt(schema: unknown, path: PropertyKey[]): Record<string, Node> | null {
  let cur = schema as Node | undefined;
  const unwrap = () => {
    while (cur && ['default', 'prefault', 'optional', 'nullable', 'pipe'].includes(cur._zod.def.type))
      cur = cur._zod.def.innerType ?? cur._zod.def.in;
  };
  for (const seg of path) {
    unwrap();
    if (!cur) return null;
    const def = cur._zod.def;
    if (def.type === 'array' && typeof seg === 'number') cur = def.element;
    else if (def.type === 'object' && typeof seg === 'string') cur = def.shape?.[seg];
    else return null;
  }
  unwrap();
  return cur?._zod.def.type === 'object' ? (cur._zod.def.shape ?? null) : null;
}

/** Every key path of the schema's nested objects (arrays' elements under "[]"), for cross-section hints. */
function allPaths(schema: unknown, prefix: string[] = []): string[][] {
  const shape = shapeAt(schema, []);
  if (!shape) return [];
  return Object.entries(shape).flatMap(([k, v]) => [[...prefix, k], ...allPaths(v, [...prefix, k])]);
}

/** "did you mean X?" for an unknown key among `known`, or a list of the known keys when none is close. */
export function suggestKey(key: string, known: string[], prefix = ''): string {
  if (known.length === 0) return 'this object takes no keys';
  const best = closest(key, known);
  if (distance(key.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.floor(key.length / 3)))
    return `did you mean ${prefix}${best}?`;
  return `known keys: ${known.join(', ')}`;
}

function unknownKeyMessage(schema: unknown, path: PropertyKey[], key: string): string {
  const here = Object.keys(shapeAt(schema, path) ?? {});
  const prefix = path.length ? `${path.join('.')}.` : '';
  const near = here.length ? closest(key, here) : '';
  if (near && distance(key.toLowerCase(), near.toLowerCase()) <= Math.max(2, Math.floor(key.length / 3)))
    return `did you mean ${prefix}${near}?`;
  // the right name in the wrong section: grpo.learning_rate -> optim.learning_rate
  const elsewhere = allPaths(schema).find((p) => p.at(-1) === key && p.length > 1);
  if (elsewhere) return `did you mean ${elsewhere.join('.')}? (it belongs in ${elsewhere.slice(0, -1).join('.')})`;
  return suggestKey(key, here, prefix);
}

/** One line per problem: "path: what is wrong; what to do". */
export function formatIssues(schema: unknown, issues: z.core.$ZodIssue[]): string[] {
  return issues.flatMap((i) => {
    const where = i.path.join('.') || '(root)';
    if (i.code === 'unrecognized_keys')
      return i.keys.map((k) => `${[...i.path, k].join('.')}: unknown key; ${unknownKeyMessage(schema, i.path, k)}`);
    return [`${where}: ${i.message}`];
  });
}

/** The hint for an unknown reward option: the nearest option of that reward, or the list of them. */
export function unknownOptionMessage(reward: string, key: string): string {
  return suggestKey(key, rewardOptionKeys(reward));
}
