// The Python checker's host in Node (tests, the CLI): a worker thread with a capped JS heap, and Pyodide's
// files read from the repository's node_modules/pyodide/ (found by walking up from this module, which also
// works from the CLI's bundle in node_modules/.cache/).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PythonHost, PythonPort } from './slot.ts';
import type { PythonReply } from './protocol.ts';

export class PyodideMissingError extends Error {
  readonly name = 'PyodideMissingError';
}

const WORKER = 'src/reward/python/node-worker-boot.mjs';
const PYODIDE = 'node_modules/pyodide';

function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, WORKER)) && fs.existsSync(path.join(dir, PYODIDE, 'pyodide.asm.wasm'))) return dir;
    const up = path.dirname(dir);
    if (up === dir)
      throw new PyodideMissingError(
        `no ${PYODIDE}/pyodide.asm.wasm above ${fileURLToPath(import.meta.url)}; run npm ci`,
      );
    dir = up;
  }
}

export function nodeHost(): PythonHost {
  return {
    indexURL: () => path.join(repoRoot(), PYODIDE) + path.sep,
    spawn(): PythonPort {
      // The JS heap cap bounds the host side; the interpreter's memory is capped by the worker's grow hook.
      const w = new Worker(path.join(repoRoot(), WORKER), {
        resourceLimits: { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 32 },
      });
      w.unref();
      return {
        post: (m) => w.postMessage(m),
        listen(onMessage, onError) {
          w.on('message', (m: PythonReply) => onMessage(m));
          w.on('error', onError);
          w.on('exit', (code) => onError(new Error(`worker exited with code ${code}`)));
        },
        terminate: () => void w.terminate(),
      };
    },
  };
}
