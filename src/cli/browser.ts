// Running the built app headless: build it when missing or stale, serve dist/ on localhost (WebGPU needs a
// secure context; serve.ts), and launch a system Chromium or Chrome with WebGPU through playwright-core. Used by
// `webgrpo train`, `webgrpo eval` and `webgrpo bench --browser`.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

export class BrowserNotFoundError extends Error {
  readonly name = 'BrowserNotFoundError';
}

export const ROOT =
  process.env.WEBGRPO_ROOT ?? path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

export function findChromium(): string {
  const env = process.env.WEBGRPO_CHROMIUM;
  if (env) {
    if (!fs.existsSync(env)) throw new BrowserNotFoundError(`WEBGRPO_CHROMIUM=${env} does not exist`);
    return env;
  }
  const found = CANDIDATES.find((p) => fs.existsSync(p));
  if (!found)
    throw new BrowserNotFoundError(
      'no Chromium or Chrome found: install one (Debian/Ubuntu: apt-get install chromium) or set WEBGRPO_CHROMIUM to its path',
    );
  return found;
}

export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Builds dist/ with Vite unless it is newer than every file under src/ and public/. */
export function ensureBuilt(log: (m: string) => void): string {
  const dist = path.join(ROOT, 'dist');
  const stamp = fs.existsSync(path.join(dist, 'lab.html')) ? fs.statSync(path.join(dist, 'lab.html')).mtimeMs : 0;
  const newest = Math.max(...['src', 'public', 'index.html', 'lab.html'].map((p) => newestMtime(path.join(ROOT, p))));
  if (stamp < newest) {
    log('building the app (vite build)...');
    execFileSync(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
  return dist;
}

function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...fs.readdirSync(p).map((f) => newestMtime(path.join(p, f))));
}

export { serveStatic, PortInUseError } from './serve.ts';
