import { describe, it, expect } from 'vitest';
import { deflateSync } from 'fflate';
import {
  encodeLink,
  encodeConfig,
  decodeLink,
  LinkError,
  LinkTooLargeError,
  MAX_LINK_JSON_BYTES,
  customCode,
  inflateCapped,
  presenterLink,
  withPresenter,
} from '../../src/engine/link.ts';
import { presetConfig, PRESETS, UnknownPresetError } from '../../src/engine/presets.ts';
import { parseRunConfig } from '../../src/engine/config.ts';
import { Rng } from '../../src/engine/rng.ts';

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
  it('encode and decode configs far past 150 KB deflated (no spreading into a call)', async () => {
    // random text does not compress: 471 KB of deflated data, passed to the code as an option
    const rng = new Rng(7);
    const table = Array.from({ length: 560_000 }, () => String.fromCharCode(33 + rng.int(90))).join('');
    const cfg = parseRunConfig({ rewards: [{ name: 'custom', options: { code: 'return 1;', table } }] });
    const token = await encodeConfig(cfg);
    expect(token.length).toBeGreaterThan((200_000 * 4) / 3);
    expect(await decodeLink(`http://x/#run=${token}`)).toEqual(cfg);
  });
  it('stop inflating a link bomb at the cap, with LinkTooLargeError, and keep its memory bounded', async () => {
    // 40 MB of the same byte deflates to about 40 KB: the decoder must stop near 2 MB of output
    const bomb = deflateSync(new Uint8Array(40 * 1024 * 1024).fill(32), { level: 1 });
    expect(bomb.length).toBeLessThan(200_000);
    let b64 = '';
    for (let i = 0; i < bomb.length; i += 3000) b64 += btoa(String.fromCharCode(...bomb.subarray(i, i + 3000)));
    const token = `v1.${b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
    const before = process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    const err = await decodeLink(token).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LinkTooLargeError);
    expect(err).toBeInstanceOf(LinkError);
    expect((err as Error).message).toMatch(/inflates to more than 2 MB/);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
    // exactly at the cap is fine; one byte over is not
    const edge = deflateSync(new Uint8Array(MAX_LINK_JSON_BYTES).fill(32));
    expect(inflateCapped(edge, MAX_LINK_JSON_BYTES).length).toBe(MAX_LINK_JSON_BYTES);
    expect(() => inflateCapped(edge, MAX_LINK_JSON_BYTES - 1)).toThrow(LinkTooLargeError);
    await expect(decodeLink(`v1.${'A'.repeat(4 * 1024 * 1024)}`)).rejects.toThrow(LinkTooLargeError);
    // a cut link is still "damaged", not too large
    const ok = await encodeConfig(parseRunConfig({}));
    await expect(decodeLink(ok.slice(0, -4))).rejects.toThrow(/damaged/);
  });
});

describe('presenter links', () => {
  it('read present=1 from the query or after the run token, and switch it without touching the run', async () => {
    const cfg = presetConfig('demo');
    const run = await encodeLink(cfg, 'https://app.example/webgrpo/');
    expect(presenterLink(run)).toBe(false);
    const on = withPresenter(run, true);
    expect(on).toMatch(/^https:\/\/app\.example\/webgrpo\/\?present=1#run=v1\./);
    expect(presenterLink(on)).toBe(true);
    expect(await decodeLink(on)).toEqual(cfg);
    expect(withPresenter(on, true)).toBe(on); // idempotent
    expect(withPresenter(on, false)).toBe(run);
    expect(presenterLink(`${run}&present=1`)).toBe(true);
    expect(await decodeLink(`${run}&present=1`)).toEqual(cfg);
    expect(presenterLink('https://a/?x=2&present=1')).toBe(true);
    expect(withPresenter('https://a/?x=2&present=1', false)).toBe('https://a/?x=2');
    expect(withPresenter('https://a/?x=2', true)).toBe('https://a/?x=2&present=1');
    for (const no of ['https://a/?present=0', 'https://a/?presenter=1', 'https://a/#run=v1.present=1', 'https://a/'])
      expect(presenterLink(no), no).toBe(false);
    // a link made while presenting keeps the mode
    expect(presenterLink(await encodeLink(cfg, on))).toBe(true);
  });
});
