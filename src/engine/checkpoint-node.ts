// Checkpoints as files, for Node (CLI, tests). Kept apart from checkpoint.ts so browser bundles never see
// `fs`. Each key is one file; a write goes to a temporary file renamed into place, so a crash mid-write
// never leaves a half file under the real name.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { BlobStore } from './checkpoint.ts';

export function fileStore(dir: string): BlobStore {
  const file = (key: string) => path.join(dir, encodeURIComponent(key));
  return {
    async get(key) {
      try {
        const b = await fs.readFile(file(key));
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
    async set(key, value) {
      await fs.mkdir(dir, { recursive: true });
      const tmp = `${file(key)}.tmp-${process.pid}`;
      await fs.writeFile(tmp, value);
      await fs.rename(tmp, file(key));
    },
    async del(key) {
      await fs.rm(file(key), { force: true });
    },
    async keys(prefix) {
      const names = await fs.readdir(dir).catch(() => [] as string[]);
      return names
        .filter((n) => !n.includes('.tmp-'))
        .map(decodeURIComponent)
        .filter((k) => k.startsWith(prefix));
    },
  };
}
