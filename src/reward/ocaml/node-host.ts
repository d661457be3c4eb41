// The OCaml checker's host in Node (tests, the CLI): a worker thread (../checker-pool/node-port.ts), and
// the artefacts read from the repository's public/ocaml/.
import fs from 'node:fs';
import path from 'node:path';
import { findRoot, nodeWorkerPort } from '../checker-pool/node-port.ts';
import type { OcamlAssetBytes, OcamlHost } from './protocol.ts';

export class OcamlAssetsMissingError extends Error {
  readonly name = 'OcamlAssetsMissingError';
}

const WORKER = 'src/reward/ocaml/node-worker-boot.mjs';
const ASSETS = 'public/ocaml';

/** The repository root: the first folder above this module that holds the worker and the artefacts. */
export function repoRoot(): string {
  return findRoot(
    [WORKER, `${ASSETS}/ocamlrun.wasm`],
    (from) =>
      new OcamlAssetsMissingError(
        `no ${ASSETS}/ocamlrun.wasm above ${from}; run tools/ocaml-wasm/build.sh or restore public/ocaml from git`,
      ),
  );
}

export function readAssets(dir = path.join(repoRoot(), ASSETS)): OcamlAssetBytes {
  const read = (f: string) => new Uint8Array(fs.readFileSync(path.join(dir, f)));
  const names = fs.readFileSync(path.join(dir, 'stdlib-files.txt'), 'utf8').split('\n').filter(Boolean);
  return {
    runtime: read('ocamlrun.wasm'),
    ocamlc: read('ocamlc.byte'),
    stdlib: names.map((n) => [n, read(`stdlib/${n}`)]),
  };
}

export function nodeHost(): OcamlHost {
  // the program's own memory is capped by its wasm Memory
  return { init: async () => readAssets(), spawn: () => nodeWorkerPort(path.join(repoRoot(), WORKER)) };
}
