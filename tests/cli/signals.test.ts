// A `webgrpo` command killed by a signal while it builds its bundle leaves nothing behind in the bundle
// cache: no temporary folder, no partial bundle.
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const bin = path.resolve(__dirname, '../../bin/webgrpo.mjs');

async function killDuringBuild(signal: NodeJS.Signals): Promise<{ cache: string; by: string | null }> {
  // an empty cache of its own, so the command has to build
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'webgrpo-cache-'));
  const child = spawn(process.execPath, [bin, 'help'], {
    env: { ...process.env, WEBGRPO_CLI_CACHE: cache },
    stdio: 'ignore',
  });
  const exited = new Promise<string | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
  // the build's temporary folder appears as soon as the build starts
  for (let i = 0; i < 600 && !fs.readdirSync(cache).some((f) => f.endsWith('.tmp')); i++)
    await new Promise((r) => setTimeout(r, 50));
  expect(fs.readdirSync(cache).some((f) => f.endsWith('.tmp'))).toBe(true);
  child.kill(signal);
  return { cache, by: await exited };
}

describe('a command killed while it builds its bundle', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    it(`${signal}: dies of the signal and leaves no bundle or temporary folder`, async () => {
      const { cache, by } = await killDuringBuild(signal);
      expect(by).toBe(signal);
      expect(fs.readdirSync(cache)).toEqual([]);
    }, 60_000);
});
