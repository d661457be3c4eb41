// Environment options read through a strict zod schema: an unknown key or a value out of range becomes one
// EnvOptionsError whose message names each option and what it accepts, so a config typo fails at the start
// of a run rather than as an odd episode later.
//
//   const o = readOptions('grid_world', GridOptions, options)   // typed, defaults filled, or EnvOptionsError
import { z } from 'zod';
import { EnvOptionsError } from './registry.ts';

export function readOptions<S extends z.ZodType>(env: string, schema: S, options: unknown): z.output<S> {
  const r = schema.safeParse(options ?? {});
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const where = i.path.length ? i.path.join('.') : 'options';
    return `${where}: ${i.message}`;
  });
  throw new EnvOptionsError(env, `${lines.join('; ')} (see the README's section on this environment)`);
}
