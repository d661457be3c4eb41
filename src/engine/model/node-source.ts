// A model folder on disk, for Node (tests, CLI). Kept apart from source.ts so browser bundles never see `fs`.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FileSource } from './source.ts';

export function dirSource(dir: string): FileSource {
  return {
    where: dir,
    async read(name) {
      try {
        const b = await fs.readFile(path.join(dir, name));
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
    },
  };
}
