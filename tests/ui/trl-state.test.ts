// The Config tab's TRL crossing: an import fills the form and lists every field's fate; a typo keeps the
// form and says the nearest name; the form goes out as TRL YAML and as a project zip.
import { describe, it, expect } from 'vitest';
import { unzipSync, strFromU8 } from 'fflate';
import { ConfigState } from '../../src/ui/config/config.svelte.ts';
import { TrlState } from '../../src/ui/config/trl.svelte.ts';
import { parseTrlText } from '../../src/engine/trl/text.ts';

describe('TrlState', () => {
  it('imports a TRL YAML into the form with its table, and refuses a typo keeping the form', () => {
    const cs = new ConfigState();
    const ts = new TrlState(cs);
    expect(
      ts.importText(
        'learning_rate: 3.0e-6\nnum_generations: 4\nper_device_train_batch_size: 4\nmax_steps: 20\nuse_vllm: true\n',
      ),
    ).toBe(true);
    expect(cs.config.optim.learning_rate).toBe(3e-6);
    expect(cs.config.run.max_steps).toBe(20);
    expect(ts.rows.find((r) => r.trl === 'use_vllm')?.status).toBe('unsupported');
    expect(ts.importText('num_generatoins: 4\n')).toBe(false);
    expect(ts.problems[0]).toMatch(/did you mean num_generations\?/);
    expect(cs.config.run.max_steps).toBe(20); // kept
  });
  it('exports the form as TRL YAML and as a project zip', async () => {
    const cs = new ConfigState();
    cs.config.data.dataset = 'gsm8k-sample';
    const ts = new TrlState(cs);
    const yaml = parseTrlText(ts.yaml());
    expect(yaml.max_steps).toBe(cs.config.run.max_steps * cs.config.grpo.num_iterations);
    const zip = await ts.projectZip();
    expect(ts.problems).toEqual([]);
    const files = unzipSync(zip!);
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining([
        'webgrpo-trl/train.py',
        'webgrpo-trl/rewards.py',
        'webgrpo-trl/data/train.parquet',
        'webgrpo-trl/accelerate/zero3.yaml',
      ]),
    );
    expect(strFromU8(files['webgrpo-trl/README.md'])).toMatch(/Where the TRL run differs/);
  });
});
