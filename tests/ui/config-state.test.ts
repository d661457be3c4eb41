// The UI's state classes in Node (runes compiled by the Svelte plugin): links applied or explained with the
// form kept, the form's fields read from the schema, and the run comparison's store.
import { describe, it, expect } from 'vitest';
import { ConfigState } from '../../src/ui/config/config.svelte.ts';
import { configGroups } from '../../src/ui/config/fields.ts';
import { encodeLink } from '../../src/engine/link.ts';
import { parseRunConfig, RunConfigSchema } from '../../src/engine/config.ts';

describe('ConfigState links', () => {
  it('applies a good link and reports it', async () => {
    const cs = new ConfigState();
    const url = await encodeLink(
      parseRunConfig({ run: { max_steps: 9 }, optim: { learning_rate: 0.002 } }),
      'https://app.example/',
    );
    await cs.openLink(url);
    expect(cs.config.run.max_steps).toBe(9);
    expect(cs.config.optim.learning_rate).toBe(0.002);
    expect(cs.linkStatus?.ok).toBe(true);
    expect(cs.preset).toBe('');
  });

  it('keeps the form and explains a damaged link or an invalid field', async () => {
    const cs = new ConfigState();
    cs.config.run.max_steps = 17;
    await cs.openLink('https://app.example/#run=v1.@@@');
    expect(cs.linkError).toMatch(/could not be opened: .*damaged.*keeps its current settings/s);
    const bad = await encodeLink(
      { ...parseRunConfig({}), grpo: { ...parseRunConfig({}).grpo, epsilon: 0.3, epsilon_high: 0.1 } },
      'https://app.example/',
    );
    await cs.openLink(bad);
    expect(cs.linkError).toContain('grpo.epsilon_high');
    expect(cs.config.run.max_steps).toBe(17);
    expect(cs.linkStatus?.ok).toBe(false);
  });

  it('holds custom reward code back until it is accepted', async () => {
    const cs = new ConfigState();
    const url = await encodeLink(
      parseRunConfig({ rewards: [{ name: 'custom', options: { code: 'return 1' } }] }),
      'https://app.example/',
    );
    await cs.openLink(url);
    expect(cs.pendingLink?.codes).toEqual(['return 1']);
    expect(cs.config.rewards[0].name).toBe('math');
    cs.acceptPending();
    expect(cs.config.rewards[0].name).toBe('custom');
  });

  it('derives per-field problems from the schema, cross-field checks included', () => {
    const cs = new ConfigState();
    cs.config.sampling.num_generations = 1;
    expect(cs.valid).toBe(false);
    expect(cs.problems['sampling.num_generations']).toContain('num_generations >= 2');
  });
});

describe('the config form', () => {
  it('has a field for every scalar, enum and list field of every group of the schema', () => {
    const groups = configGroups();
    const shape = (
      RunConfigSchema as unknown as { shape: Record<string, { _zod: { def: { innerType?: { shape?: object } } } }> }
    ).shape;
    for (const g of groups) {
      const inner = (shape[g.group]._zod.def.innerType?.shape ?? {}) as Record<string, Nested>;
      // nested objects (optim.lr_scheduler_kwargs) appear as their fields, "lr_scheduler_kwargs.min_lr_rate"
      const keys = Object.entries(inner).flatMap(([k, v]) => {
        const sub = v._zod.def.innerType?._zod.def.shape;
        return sub ? Object.keys(sub).map((s) => `${k}.${s}`) : [k];
      });
      expect(g.fields.map((f) => f.key).sort(), g.group).toEqual(keys.sort());
      for (const f of g.fields) expect(f.help, `${g.group}.${f.key}`).not.toBe('');
    }
    expect(groups.map((g) => g.group)).toEqual([
      'model',
      'lora',
      'sampling',
      'grpo',
      'optim',
      'data',
      'run',
      'environment',
    ]);
    const gens = groups.find((g) => g.group === 'sampling')!.fields.find((f) => f.key === 'num_generations')!;
    expect(gens).toMatchObject({ kind: 'int', min: 1, def: 8 });
  });
});

type Nested = { _zod: { def: { innerType?: { _zod: { def: { shape?: object } } } } } };

describe('the preset menu', () => {
  it('names the preset while the form equals it, and custom after an edit', () => {
    const cs = new ConfigState();
    expect(cs.presetShown).toBe('demo');
    cs.config.run.max_steps = 3;
    expect(cs.presetShown).toBe('');
    cs.applyPreset('1h');
    expect(cs.presetShown).toBe('1h');
  });
});
