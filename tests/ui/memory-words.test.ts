// The Model screen's memory figures in words: a tiny model's megabytes do not read as "0.00 GB".
import { describe, expect, it } from 'vitest';
import { gb } from '../../src/ui/model/model.svelte.ts';

describe('gb', () => {
  it('says GB from a tenth of a GB, MB from a tenth of a MB, KB below', () => {
    expect(gb(2.5 * 2 ** 30)).toBe('2.50 GB');
    expect(gb(0.1 * 2 ** 30)).toBe('0.10 GB');
    expect(gb(43.9 * 2 ** 20)).toBe('43.9 MB');
    expect(gb(24 * 2 ** 10)).toBe('24.0 KB');
    expect(gb(0)).toBe('0.0 KB');
  });
});
