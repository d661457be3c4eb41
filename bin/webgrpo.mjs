#!/usr/bin/env node
// Entry point of the `webgrpo` command. The CLI is TypeScript, bundled with esbuild so that Node gets the
// same ES-module build of tfjs as the browser and Vitest. The bundle is cached under a hash of the sources
// (src/, package-lock.json and this file): a command whose sources did not change starts from the cached
// bundle without loading esbuild; a change rebuilds once. The bundle is split per command (esbuild's
// code splitting), so `webgrpo reward math` reads the grader, not tfjs. It is written to a temporary
// folder and renamed into place, so a killed build never leaves a partial bundle behind and two commands
// starting at once cannot read each other's half-written files. A command killed by a signal while it
// builds removes its temporary folder first (then dies of the signal as it would have).
// WEBGRPO_CLI_CACHE names another cache folder.
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = process.env.WEBGRPO_CLI_CACHE
  ? path.resolve(process.env.WEBGRPO_CLI_CACHE)
  : path.join(root, 'node_modules', '.cache', 'webgrpo');
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Creates the folder `tmp` and runs `fn`; if a signal arrives meanwhile, removes `tmp` and lets the signal end
 * the process. The handlers are in place before the folder exists, so no signal can find it unguarded.
 */
async function removedOnSignal(tmp, fn) {
  const clean = () => fs.rmSync(tmp, { recursive: true, force: true });
  const onSignal = (signal) => {
    clean();
    for (const s of SIGNALS) process.off(s, onSignal);
    process.kill(process.pid, signal);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  try {
    fs.mkdirSync(tmp, { recursive: true });
    return await fn();
  } finally {
    clean();
    for (const s of SIGNALS) process.off(s, onSignal);
  }
}
const KEEP = 3; // bundles of other source versions kept (other worktrees or branches may share the cache)

/** Hash of every file that can change the bundle, by path and content. */
function sourceHash() {
  const h = createHash('sha256');
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) h.update(path.relative(root, p)).update('\0').update(fs.readFileSync(p)).update('\0');
    }
  };
  walk(path.join(root, 'src'));
  for (const f of ['package-lock.json', 'bin/webgrpo.mjs'])
    if (fs.existsSync(path.join(root, f))) h.update(f).update(fs.readFileSync(path.join(root, f)));
  return h.digest('hex').slice(0, 16);
}

async function bundle(dir) {
  const { build } = await import('esbuild');
  const tmp = `${dir}.${process.pid}.tmp`;
  await removedOnSignal(tmp, async () => {
    // written here rather than by esbuild's own process, which could still be writing after this one died
    const result = await build({
      write: false,
      entryPoints: { main: path.join(root, 'src', 'cli', 'main.ts') },
      outdir: tmp,
      bundle: true,
      splitting: true,
      chunkNames: 'chunk-[hash]',
      outExtension: { '.js': '.mjs' },
      platform: 'node',
      format: 'esm',
      target: 'node20',
      mainFields: ['module', 'main'],
      // native or browser-driving packages stay outside the bundle, and so does the custom-reward interpreter,
      // which finds its .wasm file next to its own module
      external: [
        'webgpu',
        'playwright-core',
        'playwright',
        '@playwright/test',
        'esbuild',
        'vite',
        'quickjs-emscripten',
        'quickjs-emscripten-core',
        '@jitl/*',
      ],
      // CommonJS dependencies in an ES-module bundle expect require, __filename and __dirname
      banner: {
        js: [
          "import { createRequire as __cr } from 'node:module';",
          "import { fileURLToPath as __fu } from 'node:url';",
          "import { dirname as __dn } from 'node:path';",
          'const require = __cr(import.meta.url);',
          'const __filename = __fu(import.meta.url);',
          'const __dirname = __dn(__filename);',
        ].join(' '),
      },
      define: { 'import.meta.env.BASE_URL': '"/"' },
      // a command whose file is absent fails when it is used, not for every command
      plugins: [
        {
          name: 'missing-files-fail-late',
          setup(b) {
            b.onResolve({ filter: /^\.\.?\/.*\.ts$/ }, (a) => {
              if (!a.resolveDir.startsWith(path.join(root, 'src'))) return undefined;
              const p = path.resolve(a.resolveDir, a.path);
              return fs.existsSync(p) ? undefined : { path: p, external: true };
            });
          },
        },
      ],
      logLevel: 'error',
      sourcemap: 'linked',
    });
    for (const f of result.outputFiles) {
      fs.mkdirSync(path.dirname(f.path), { recursive: true });
      fs.writeFileSync(f.path, f.contents);
    }
    try {
      fs.renameSync(tmp, dir); // atomic: the bundle appears whole or not at all
    } catch (e) {
      if (!fs.existsSync(path.join(dir, 'main.mjs'))) throw e; // else another command built it first
    }
  });
}

/** Removes bundles of old source versions (and temporary files of builds that were killed), oldest first. */
function prune(current) {
  const files = fs
    .readdirSync(outdir)
    .filter((f) => f.startsWith('cli-') && f !== path.basename(current))
    .map((f) => ({ f, t: fs.statSync(path.join(outdir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  const stale = Date.now() - 10 * 60_000;
  for (const [i, { f, t }] of files.entries())
    if ((f.endsWith('.tmp') && t < stale) || (!f.endsWith('.tmp') && i >= KEEP))
      fs.rmSync(path.join(outdir, f), { recursive: true, force: true });
}

fs.mkdirSync(outdir, { recursive: true });
const dir = path.join(outdir, `cli-${sourceHash()}`);
if (!fs.existsSync(path.join(dir, 'main.mjs'))) {
  await bundle(dir);
  prune(dir);
}
process.env.WEBGRPO_ROOT = root;
await import(pathToFileURL(path.join(dir, 'main.mjs')).href);
