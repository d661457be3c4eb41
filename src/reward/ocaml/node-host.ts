// The checker's host in Node (tests, the CLI): a worker thread with a capped JS heap, and the artefacts
// read from the repository's public/ocaml/ (found by walking up from this module, which also works from
// the CLI's bundle in node_modules/.cache/).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CheckerHost, CheckerPort } from './slot.ts';
import type { CheckerReply, OcamlAssetBytes } from './protocol.ts';

export class OcamlAssetsMissingError extends Error {
  readonly name = 'OcamlAssetsMissingError';
}

const WORKER = 'src/reward/ocaml/node-worker-boot.mjs';
const ASSETS = 'public/ocaml';

/** The repository root: the first folder above this module that holds the worker and the artefacts. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, WORKER)) && fs.existsSync(path.join(dir, ASSETS, 'ocamlrun.wasm'))) return dir;
    const up = path.dirname(dir);
    if (up === dir)
      throw new OcamlAssetsMissingError(
        `no ${ASSETS}/ocamlrun.wasm above ${fileURLToPath(import.meta.url)}; run tools/ocaml-wasm/build.sh or restore public/ocaml from git`,
      );
    dir = up;
  }
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

export function nodeHost(): CheckerHost {
  return {
    loadAssets: async () => readAssets(),
    spawn(): CheckerPort {
      // The JS heap cap bounds the host side; the program's own memory is capped by its wasm Memory.
      const w = new Worker(path.join(repoRoot(), WORKER), {
        resourceLimits: { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 32 },
      });
      // an idle checker must not keep the process alive (the client's timers do while a check runs)
      w.unref();
      return {
        post: (m) => w.postMessage(m),
        listen(onMessage, onError) {
          w.on('message', (m: CheckerReply) => onMessage(m));
          w.on('error', onError);
          w.on('exit', (code) => onError(new Error(`worker exited with code ${code}`)));
        },
        terminate: () => void w.terminate(),
      };
    },
  };
}
