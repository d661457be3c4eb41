// The Config tab covers the whole schema: every field of the run config (walked here from the zod schema
// itself, nested objects and a reward's fields included) has exactly one place in the form's layout table,
// a label in words, a control the form can render, and a TRL name that TRL really has. A field added to
// the schema without a row in src/ui/config/layout.ts fails here.
import { describe, it, expect } from 'vitest';
import { RunConfigSchema } from '../../src/engine/config.ts';
import { TRL_FIELDS } from '../../src/engine/trl/fields.ts';
import { REWARD_OPTIONS } from '../../src/reward/options.ts';
import { PLACES, SECTIONS, placeOf } from '../../src/ui/config/layout.ts';
import { pathOf, schemaFields } from '../../src/ui/config/fields.ts';
import { optionFields, optionLabel } from '../../src/ui/data/reward-options.ts';
import { problemLabel } from '../../src/ui/config/problems.ts';
import { parseRunConfig } from '../../src/engine/config.ts';

type Z = { _zod: { def: { type: string; innerType?: Z; element?: Z; shape?: Record<string, Z> } } };

const unwrap = (z: Z): Z => (z._zod.def.innerType ? unwrap(z._zod.def.innerType) : z);

/** Every leaf path of the schema: "sampling.top_p", "optim.lr_scheduler_kwargs.min_lr_rate", "rewards.weight". */
function leafPaths(z: Z, prefix: string): string[] {
  const inner = unwrap(z);
  const def = inner._zod.def;
  if (def.type === 'object' && def.shape)
    return Object.entries(def.shape).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
  // a reward's fields each have a row; environment.envs is one field (a list edited as JSON)
  if (def.type === 'array' && unwrap(def.element!)._zod.def.type === 'object' && prefix === 'rewards')
    return leafPaths(def.element!, prefix);
  return [prefix];
}

describe('the Config tab layout', () => {
  const paths = leafPaths(RunConfigSchema as unknown as Z, '');

  it('walks a schema of the expected size', () => {
    expect(paths.length).toBeGreaterThan(80);
    expect(paths).toContain('grpo.vf_coef');
    expect(paths).toContain('optim.lr_scheduler_kwargs.min_lr_rate');
    expect(paths).toContain('rewards.timeout_ms');
  });

  it('places every schema field in exactly one section, with a label and a control', () => {
    const renderable = new Set(schemaFields().map(pathOf));
    const sections = new Set(SECTIONS.map((s) => s.id));
    for (const p of paths) {
      const row = PLACES[p];
      expect(row, `${p} has no row in src/ui/config/layout.ts`).toBeDefined();
      expect(sections.has(row[0]), `${p}: section ${row[0]}`).toBe(true);
      expect(row[1].trim().length, `${p} has an empty label`).toBeGreaterThan(0);
      expect(row[1], `${p}: a label in words, not the key`).not.toMatch(/_/);
      expect(renderable.has(p), `${p} has no control in the form`).toBe(true);
    }
    // and no row for a field the schema does not have (a renamed field would leave its old row behind)
    expect(Object.keys(PLACES).filter((p) => !paths.includes(p))).toEqual([]);
  });

  it('keeps Basic to the fields most runs change', () => {
    const basic = Object.entries(PLACES)
      .filter(([, r]) => r[0] === 'basic')
      .map(([p]) => p);
    expect(basic).toEqual([
      'model.id',
      'data.dataset',
      'rewards.name',
      'rewards.weight',
      'rewards.options',
      'run.max_steps',
      'sampling.num_generations',
      'optim.learning_rate',
      'sampling.max_completion_length',
    ]);
    for (const s of SECTIONS)
      expect(
        Object.values(PLACES).some((r) => r[0] === s.id),
        s.id,
      ).toBe(true);
  });

  it('names only knobs TRL has', () => {
    for (const [p, [, , trl]] of Object.entries(PLACES))
      if (trl) expect(TRL_FIELDS.has(trl), `${p}: TRL has no ${trl}`).toBe(true);
    expect(placeOf('rewards.3.timeout_ms')?.label).toBe('Time limit per call (ms)');
  });

  it('labels every option of every built-in reward in words', () => {
    for (const name of Object.keys(REWARD_OPTIONS)) {
      const fields = optionFields(name);
      expect(fields.length, name).toBeGreaterThan(0);
      for (const f of fields) {
        expect(optionLabel(f.key), `${name}.${f.key}`).toMatch(/^[A-Z][a-z0-9 ]*( \((ms|MiB|KiB)\))?$/);
        expect(f.description, `${name}.${f.key}`).not.toBe('');
      }
    }
    expect(optionLabel('time_limit_ms')).toBe('Time limit (ms)');
    expect(optionLabel('memory_mb')).toBe('Memory (MiB)');
  });

  it("names a problem's field as the form labels it", () => {
    const c = parseRunConfig({ rewards: [{ name: 'math' }, { name: 'format' }] });
    expect(problemLabel('grpo.epsilon_high', c)).toBe('Clip range above');
    expect(problemLabel('rewards.1.options.pattern', c)).toBe('Reward 2 (format): Pattern');
    expect(problemLabel('rewards.0.phase_end', c)).toBe('Reward 1 (math): Weight arrives at (share of the run)');
    expect(problemLabel('rewards', c)).toBe('Rewards');
  });
});
