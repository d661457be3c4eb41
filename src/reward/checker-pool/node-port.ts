// Checker workers in Node (tests, the CLI): a worker thread with a capped JS heap, started from a file of
// the repository (found by walking up from this module, which also works from the CLI's bundle in
// node_modules/.cache/).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PoolReply, WorkerPort } from './protocol.ts';

/** The first folder above this module that holds all of `files` (paths relative to it); `missing` otherwise. */
export function findRoot(files: string[], missing: (from: string) => Error): string {
  const from = fileURLToPath(import.meta.url);
  for (let dir = path.dirname(from); ;) {
    if (files.every((f) => fs.existsSync(path.join(dir, f)))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw missing(from);
    dir = up;
  }
}

/** A worker thread on `file`; the JS heap cap bounds the host side (each language caps its program's memory). */
export function nodeWorkerPort<I, J, E>(file: string): WorkerPort<I, J, E> {
  const w = new Worker(file, { resourceLimits: { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 32 } });
  // an idle checker must not keep the process alive (the slot's timers do while a check runs)
  w.unref();
  return {
    post: (m) => w.postMessage(m),
    listen(onMessage, onError) {
      w.on('message', (m: PoolReply<E>) => onMessage(m));
      w.on('error', onError);
      w.on('exit', (code) => onError(new Error(`worker exited with code ${code}`)));
    },
    terminate: () => void w.terminate(),
  };
}
