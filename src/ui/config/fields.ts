// The config form's fields, read from the one zod schema (engine/config.ts): label, help text, type, range,
// default and choices all come from there, so a field added to the schema appears in the form.
import { RunConfigSchema, RewardSpecSchema, defaultRunConfig } from '../../worker/shared.ts';

export type FieldKind = 'number' | 'int' | 'boolean' | 'enum' | 'string' | 'multi' | 'strings' | 'json';

export interface FieldDesc {
  group: string; // model, lora, sampling, grpo, optim, data, run; rewards for a reward's own fields
  key: string;
  help: string;
  kind: FieldKind;
  options?: string[];
  min?: number;
  max?: number;
  optional: boolean;
  /** The schema's default, for display ("default: 8"). */
  def: unknown;
}

// zod 4 keeps the pieces under _zod.def; these are the few wrappers the schema uses.
type Def = { type: string; innerType?: Z; element?: Z; shape?: Record<string, Z> };
type Z = {
  _zod: { def: Def };
  description?: string;
  options?: string[];
  minValue?: number | null;
  maxValue?: number | null;
  isInt?: boolean;
  shape?: Record<string, Z>;
};

function unwrap(z: Z): { inner: Z; optional: boolean; description?: string } {
  let cur = z,
    optional = false,
    description = z.description;
  while (['default', 'prefault', 'optional'].includes(cur._zod.def.type) && cur._zod.def.innerType) {
    if (cur._zod.def.type === 'optional') optional = true;
    cur = cur._zod.def.innerType;
    description ??= cur.description;
  }
  return { inner: cur, optional, description };
}

function kindOf(inner: Z): Pick<FieldDesc, 'kind' | 'options' | 'min' | 'max'> | null {
  const t = inner._zod.def.type;
  const finite = (x?: number | null) =>
    x !== null && x !== undefined && Number.isFinite(x) && Math.abs(x) < 1e15 ? x : undefined;
  if (t === 'number')
    return { kind: inner.isInt ? 'int' : 'number', min: finite(inner.minValue), max: finite(inner.maxValue) };
  if (t === 'boolean') return { kind: 'boolean' };
  if (t === 'enum') return { kind: 'enum', options: inner.options };
  if (t === 'string') return { kind: 'string' };
  if (t === 'record') return { kind: 'json' }; // a free mapping (data.chat_template_kwargs), edited as JSON
  if (t === 'array') {
    const el = inner._zod.def.element!;
    if (el._zod.def.type === 'enum') return { kind: 'multi', options: el.options };
    if (el._zod.def.type === 'string') return { kind: 'strings' };
    if (el._zod.def.type === 'object') return { kind: 'json' }; // environment.envs: a list edited as JSON
  }
  return null; // rewards are edited by their own component
}

export interface FieldGroup {
  group: string;
  title: string;
  fields: FieldDesc[];
}

export function configGroups(): FieldGroup[] {
  const out: FieldGroup[] = [];
  const top = (RunConfigSchema as unknown as Z).shape!;
  const defaults = defaultRunConfig() as unknown as Record<string, Record<string, unknown>>;
  for (const [group, gz] of Object.entries(top)) {
    const g = unwrap(gz);
    if (g.inner._zod.def.type !== 'object') continue;
    const fields: FieldDesc[] = [];
    for (const [key, fz] of Object.entries(g.inner.shape!)) {
      const f = unwrap(fz);
      // a nested object (optim.lr_scheduler_kwargs) shows its fields as "lr_scheduler_kwargs.min_lr_rate"
      const entries = f.inner._zod.def.type === 'object' ? Object.entries(f.inner.shape!) : [['', fz] as const];
      for (const [sub, sz] of entries) {
        const sf = sub ? unwrap(sz) : f;
        const k = kindOf(sf.inner);
        const path = sub ? `${key}.${sub}` : key;
        if (k)
          fields.push({
            group,
            key: path,
            help: sf.description ?? '',
            optional: sf.optional,
            def: valueAt(defaults[group], path),
            ...k,
          });
      }
    }
    out.push({ group, title: g.description ?? group, fields });
  }
  return out;
}

/** The fields of one reward of the list (name, weight, options, curriculum, limits), as group `rewards`. */
export function rewardSpecFields(): FieldDesc[] {
  const shape = (RewardSpecSchema as unknown as Z).shape!;
  const defaults = RewardSpecSchema.parse({ name: 'x' }) as Record<string, unknown>;
  return Object.entries(shape).map(([key, z]) => {
    const f = unwrap(z);
    const k = kindOf(f.inner) ?? { kind: 'json' as const };
    return { group: 'rewards', key, help: f.description ?? '', optional: f.optional, def: defaults[key], ...k };
  });
}

/** Every field of the schema: the groups' fields, then a reward's (as `rewards.<key>`). */
export function schemaFields(): FieldDesc[] {
  return [...configGroups().flatMap((g) => g.fields), ...rewardSpecFields()];
}

export const pathOf = (f: FieldDesc): string => `${f.group}.${f.key}`;

/** The id of a field's control in the form: "sampling.top_p" -> "f-sampling-top_p". */
export const fieldId = (path: string): string => `f-${path.split('.').join('-')}`;

/** The value at a dotted key ("lr_scheduler_kwargs.min_lr_rate") of a config section. */
export function valueAt(section: Record<string, unknown> | undefined, key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], section);
}

/** Sets the value at a dotted key, creating the nested object when it is missing. */
export function setAt(section: Record<string, unknown>, key: string, v: unknown): void {
  const parts = key.split('.');
  let o = section;
  for (const k of parts.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  if (v === undefined) delete o[parts.at(-1)!];
  else o[parts.at(-1)!] = v;
}
