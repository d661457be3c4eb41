// Serves Pyodide's runtime files (CPython in WebAssembly, the standard library) from the app's own origin
// at <base>/pyodide/: Vite's dev server answers them from node_modules/pyodide, and the build copies them
// into dist/pyodide/. The Python checker's worker loads Pyodide with that folder as its indexURL, so no
// CDN is needed at run time.
import fs from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';

const FILES = ['pyodide.asm.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json'];
const TYPES: Record<string, string> = {
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.zip': 'application/zip',
  '.json': 'application/json',
};

function source(file: string): string {
  return path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'node_modules', 'pyodide', file);
}

export function pyodideAssets(): Plugin {
  return {
    name: 'webgrpo-pyodide-assets',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const name = req.url?.split('?')[0].match(/\/pyodide\/([^/]+)$/)?.[1];
        if (!name || !FILES.includes(name)) return next();
        res.setHeader('Content-Type', TYPES[path.extname(name)] ?? 'application/octet-stream');
        fs.createReadStream(source(name)).pipe(res);
      });
    },
    generateBundle() {
      for (const f of FILES)
        this.emitFile({ type: 'asset', fileName: `pyodide/${f}`, source: fs.readFileSync(source(f)) });
    },
  };
}
