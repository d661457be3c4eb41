// `webgrpo train` refuses a config or link carrying custom reward code unless --allow-custom-code is given,
// in one line, before any browser starts.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeLink } from '../../src/engine/link.ts';
import { parseRunConfig } from '../../src/engine/config.ts';

const bin = path.resolve(__dirname, '../../bin/webgrpo.mjs');
const train = (...args: string[]) =>
  spawnSync(process.execPath, [bin, 'train', ...args], { encoding: 'utf8', timeout: 120_000 });

describe('webgrpo train and custom reward code', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webgrpo-custom-'));
  const raw = { model: { id: 'demo' }, rewards: [{ name: 'custom', options: { code: 'return 1;' } }] };
  const file = path.join(dir, 'c.json');
  fs.writeFileSync(file, JSON.stringify(raw));

  it('refuses --config and --link with custom code without --allow-custom-code, in one line', async () => {
    const r = train('--config', file, '--out', path.join(dir, 'out'));
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/carries custom JavaScript reward code, refused: .* add --allow-custom-code/);
    const link = await encodeLink(parseRunConfig(raw), 'http://localhost/');
    const l = train('--link', link, '--out', path.join(dir, 'out2'));
    expect(l.status).toBe(1);
    expect(l.stderr.trim().split('\n')).toHaveLength(1);
    expect(l.stderr).toMatch(/--link carries custom JavaScript reward code/);
  });
});
