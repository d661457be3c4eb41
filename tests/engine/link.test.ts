import { describe, it, expect } from 'vitest';
import { encodeLink, decodeLink, LinkError, customCode } from '../../src/engine/link.ts';
import { presetConfig, PRESETS, UnknownPresetError } from '../../src/engine/presets.ts';
import { parseRunConfig } from '../../src/engine/config.ts';

describe('links', () => {
  it('round-trip every preset exactly, compactly', async () => {
    for (const p of PRESETS) {
      const cfg = presetConfig(p.name);
      const url = await encodeLink(cfg, 'http://localhost:5173/');
      expect(url.length).toBeLessThan(800);
      expect(await decodeLink(url)).toEqual(cfg);
    }
  });
  it('explain malformed and invalid links', async () => {
    await expect(decodeLink('http://x/#run=v9.abc')).rejects.toThrow(LinkError);
    await expect(decodeLink('http://x/#run=v1.%%%')).rejects.toThrow(/damaged/);
    const bad = parseRunConfig({});
    (bad.sampling as { num_generations: number }).num_generations = 1;
    await expect(decodeLink(await encodeLink(bad, 'http://x/'))).rejects.toThrow(/num_generations/);
  });
  it('finds custom code to confirm', () => {
    const cfg = parseRunConfig({ rewards: [{ name: 'custom', weight: 1, options: { code: 'return 1' } }] });
    expect(customCode(cfg)).toEqual(['return 1']);
  });
  it('names the presets on an unknown one', () => {
    expect(() => presetConfig('nope')).toThrow(UnknownPresetError);
  });
});
