// WCAG AA contrast of the theme, computed from the colour values in theme.css (the one place they are
// set): text colours against the page, the panels and the warning background need 4.5:1 (normal-size
// text); each chart series colour also needs 4.5:1 against the page, as the series' values are printed in
// it beside the legend swatches and their lines must stand out (graphics need 3:1).
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';

const app = fs.readFileSync(path.resolve(__dirname, '../../src/ui/theme.css'), 'utf8');

/** The custom properties of the first `:root {...}` block after `from`. */
function theme(from: number): Record<string, string> {
  const at = app.indexOf(':root {', from);
  const block = app.slice(at, app.indexOf('}', at));
  return Object.fromEntries([...block.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1], m[2]]));
}
const LIGHT = theme(0);
const DARK = theme(app.indexOf('prefers-color-scheme: dark'));

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const TEXT = ['fg', 'muted', 'accent', 'bad', 'good', 'warn'];
const SERIES = ['series-1', 'series-2', 'series-3', 'series-4', 'series-5'];

describe('theme contrast (WCAG AA)', () => {
  it('computes ratios as WCAG defines them', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 6);
    expect(contrast('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
  });
  for (const [name, t] of [
    ['light', LIGHT],
    ['dark', DARK],
  ] as const) {
    it(`${name}: every colour is set`, () => {
      for (const k of [...TEXT, ...SERIES, 'bg', 'panel', 'warn-bg', 'line']) expect(t[k], k).toMatch(/^#/);
    });
    it(`${name}: text on the page, on panels and on warnings is at least 4.5:1`, () => {
      const low: string[] = [];
      for (const fg of TEXT)
        for (const bg of ['bg', 'panel'])
          if (contrast(t[fg], t[bg]) < 4.5) low.push(`${fg} on ${bg}: ${contrast(t[fg], t[bg]).toFixed(2)}`);
      for (const fg of ['fg', 'muted']) if (contrast(t[fg], t['warn-bg']) < 4.5) low.push(`${fg} on warn-bg`);
      expect(low).toEqual([]);
    });
    it(`${name}: chart series are at least 4.5:1 against the page`, () => {
      const low = SERIES.filter((s) => contrast(t[s], t.bg) < 4.5).map(
        (s) => `${s} ${contrast(t[s], t.bg).toFixed(2)}`,
      );
      expect(low).toEqual([]);
    });
  }
});
