// A model folder on disk, for Node (tests, CLI). Kept apart from source.ts so browser bundles never see `fs`.
import fs from 'node:fs/promises';
import { createReadStream } from 'node:fs';
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
    async stream(name, onProgress) {
      const file = path.join(dir, name);
      const size = await fs.stat(file).then(
        (s) => s.size,
        () => -1,
      );
      if (size < 0) return null;
      return (async function* () {
        let loaded = 0;
        for await (const b of createReadStream(file, { highWaterMark: 1 << 20 })) {
          const chunk = b as Buffer;
          loaded += chunk.byteLength;
          onProgress?.(loaded, size);
          yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        }
      })();
    },
  };
}
