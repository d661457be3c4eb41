#!/usr/bin/env node
// Entry point of the `webgrpo` command. The CLI is TypeScript; it is bundled with esbuild on each start
// (well under a second) so that Node gets the same ES-module build of tfjs as the browser and Vitest.
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'node_modules', '.cache', 'webgrpo');
const outfile = path.join(outdir, `cli-${process.pid}.mjs`);
fs.mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: [path.join(root, 'src', 'cli', 'main.ts')],
  outfile,
  bundle: true,
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
  sourcemap: 'inline',
});
process.on('exit', () => fs.rmSync(outfile, { force: true }));
process.env.WEBGRPO_ROOT = root;
await import(pathToFileURL(outfile).href);
