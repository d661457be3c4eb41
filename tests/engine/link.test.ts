import { describe, it, expect } from 'vitest';
import { deflateSync, strToU8, zlibSync } from 'fflate';
import {
  encodeLink,
  encodeConfig,
  decodeLink,
  LinkError,
  LinkTooLargeError,
  MAX_LINK_JSON_BYTES,
  MAX_LINK_DEPTH,
  jsonDepth,
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

/** A v1 token for any bytes or text, as encodeConfig would write it. */
function token(data: string | Uint8Array): string {
  const bytes = deflateSync(typeof data === 'string' ? strToU8(data) : data);
  let b64 = '';
  for (let i = 0; i < bytes.length; i += 3000) b64 += btoa(String.fromCharCode(...bytes.subarray(i, i + 3000)));
  return `v1.${b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

/** The error decodeLink rejects with (it must reject). */
async function refusal(link: string): Promise<Error> {
  const e = await decodeLink(link).then(
    () => null,
    (err: unknown) => err as Error,
  );
  if (!e) throw new Error(`${link.slice(0, 60)} was accepted`);
  return e;
}

describe('hostile links', () => {
  it('refuse data that is not a config object, each with a LinkError that says why', async () => {
    const cases: [string, RegExp][] = [
      [token('hello, not JSON'), /damaged/],
      [token(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), /damaged/], // not UTF-8
      [token('{"run": {"max_steps": 3}'), /damaged/], // cut JSON
      [token('null'), /it is null, not an object/],
      [token('[1, 2]'), /it is an array, not an object/],
      [token('"run"'), /it is a string, not an object/],
      [token('42'), /it is a number, not an object/],
      [token('{"fooo": 1}'), /fooo: unknown key; known keys: model/],
      [token('{"run": {"max_stepz": 3}}'), /run\.max_stepz: unknown key; did you mean run\.max_steps\?/],
      [token('{"__proto__": {"polluted": 1}}'), /__proto__: unknown key/],
      [token('{"run": {"max_steps": "ten"}}'), /run\.max_steps: .*expected number/],
      [token('{"run": {"max_steps": 1e308}}'), /run\.max_steps: Too big/],
      [token('{"rewards": {"name": "math"}}'), /rewards: .*expected array/],
      ['v2.AAAA', /not a webgrpo run link/],
      ['V1.AAAA', /not a webgrpo run link/],
      ['v1', /not a webgrpo run link/],
      ['v1.', /not a webgrpo run link/],
      [`${token('{}')}.junk`, /damaged/], // a second "." is not base64url
      [`${token('{}')}%22`, /damaged/],
      [
        `v1.${btoa(String.fromCharCode(...zlibSync(strToU8('{"run": {}}'))))
          .replace(/\+/g, '-')
          .replace(/\//g, '_')
          .replace(/=+$/, '')}`,
        /damaged/,
      ], // zlib, not raw DEFLATE
    ];
    for (const [link, reason] of cases) {
      const e = await refusal(`http://x/#run=${link}`);
      expect(e, link.slice(0, 40)).toBeInstanceOf(LinkError);
      expect(e.message, link.slice(0, 40)).toMatch(reason);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuse JSON nested past MAX_LINK_DEPTH before parsing it (it would overflow the stack of whatever copies it)', async () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    for (const json of [
      `{"rewards": [{"name": "custom", "options": {"code": "return 1", "t": ${deep(200_000)}}}]}`,
      `{"zzz": ${deep(500_000)}}`,
    ]) {
      const t0 = performance.now();
      const e = await refusal(token(json));
      expect(e).toBeInstanceOf(LinkError);
      expect(e.message).toMatch(
        new RegExp(`nested \\d+ levels deep, more than any configuration \\(${MAX_LINK_DEPTH}\\)`),
      );
      expect(performance.now() - t0).toBeLessThan(2000);
    }
    // brackets inside strings are text, not nesting
    expect(jsonDepth('{"a": "[[[[\\"{{{{", "b": [1, {"c": []}]}')).toBe(4);
    const code = parseRunConfig({
      rewards: [{ name: 'custom', options: { code: 'return [[[[[[1]]]]]];'.repeat(50) } }],
    });
    expect(await decodeLink(await encodeConfig(code))).toEqual(code);
  });

  it('refuse every truncation of a real link, and every one-character change, with a LinkError or decode to a valid config', async () => {
    const cfg = presetConfig('demo');
    const good = await encodeConfig(cfg);
    for (let n = 1; n < good.length; n++)
      expect(await refusal(good.slice(0, n)), `cut at ${n}`).toBeInstanceOf(LinkError);
    const alphabet = 'AZaz09-_';
    for (let i = 3; i < good.length; i++) {
      const changed = good.slice(0, i) + alphabet[i % alphabet.length] + good.slice(i + 1);
      const r = await decodeLink(changed).then(parseRunConfig, (e: unknown) => e);
      if (r instanceof Error) expect(r, `change at ${i}`).toBeInstanceOf(LinkError);
    }
  });

  it('read a link wrapped over lines or followed by the punctuation of a sentence', async () => {
    const cfg = presetConfig('demo');
    const good = await encodeConfig(cfg);
    const wrapped = `${good.slice(0, 20)}\n  ${good.slice(20)}`;
    for (const link of [`http://x/#run=${wrapped}`, `see http://x/#run=${good}.`, `(http://x/#run=${good})`])
      expect(await decodeLink(link), link.slice(0, 40)).toEqual(cfg);
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
