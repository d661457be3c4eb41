// The Python checker's host in Node (tests, the CLI): a worker thread (../checker-pool/node-port.ts), and
// Pyodide's files read from the repository's node_modules/pyodide/.
import path from 'node:path';
import { findRoot, nodeWorkerPort } from '../checker-pool/node-port.ts';
import type { PythonHost } from './protocol.ts';

export class PyodideMissingError extends Error {
  readonly name = 'PyodideMissingError';
}

const WORKER = 'src/reward/python/node-worker-boot.mjs';
const PYODIDE = 'node_modules/pyodide';

function repoRoot(): string {
  return findRoot(
    [WORKER, `${PYODIDE}/pyodide.asm.wasm`],
    (from) => new PyodideMissingError(`no ${PYODIDE}/pyodide.asm.wasm above ${from}; run npm ci`),
  );
}

export function nodeHost(): PythonHost {
  // the interpreter's memory is capped by the worker's grow hook (worker-core.ts)
  return {
    init: async () => ({ indexURL: path.join(repoRoot(), PYODIDE) + path.sep }),
    spawn: () => nodeWorkerPort(path.join(repoRoot(), WORKER)),
  };
}
