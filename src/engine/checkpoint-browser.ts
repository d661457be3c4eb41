// Where the app keeps checkpoints: each run in its own IndexedDB database (`webgrpo-run-<id>`, through
// idb-keyval), so that a database the browser finds damaged costs one run, not all; and a mirror in the
// Origin Private File System for the newest checkpoint of an unfinished run (checkpoint-index.ts), so
// that a lost database does not lose the run. Runs saved by earlier versions in the one shared database
// (`webgrpo`) are moved into their own databases the first time the runs are listed.
import { createStore, get, set, del, keys, type UseStore } from 'idb-keyval';
import type { BlobStore } from './checkpoint.ts';

const PREFIX = 'webgrpo-run-';

/** Splits a store key into its run and the key inside that run's database ('run' for the record). */
function splitKey(key: string): [string, string] {
  const [kind, id] = key.split('/');
  if (!id || (kind !== 'run' && kind !== 'ckpt')) throw new Error(`not a checkpoint store key: ${key}`);
  return [id, kind === 'run' ? 'run' : key];
}

export function perRunIdbStore(): BlobStore {
  const open = new Map<string, UseStore>();
  const storeOf = (id: string) => {
    let s = open.get(id);
    if (!s) open.set(id, (s = createStore(PREFIX + id, 'checkpoints')));
    return s;
  };
  let migrated: Promise<void> | null = null;
  const runIds = async () => {
    migrated ??= migrateShared(storeOf).catch(() => undefined);
    await migrated;
    const dbs = await indexedDB.databases();
    return dbs
      .map((d) => d.name ?? '')
      .filter((n) => n.startsWith(PREFIX))
      .map((n) => n.slice(PREFIX.length));
  };
  return {
    get: (k) => {
      const [id, inner] = splitKey(k);
      return get<Uint8Array>(inner, storeOf(id));
    },
    set: (k, v) => {
      const [id, inner] = splitKey(k);
      return set(inner, v, storeOf(id));
    },
    async del(k) {
      const [id, inner] = splitKey(k);
      if (inner !== 'run') return del(inner, storeOf(id));
      // the record goes last when a run is deleted: the database goes with it
      const s = open.get(id);
      open.delete(id);
      if (s) await s('readonly', (os) => os.transaction.db.close());
      await new Promise<void>((resolve, reject) => {
        const r = indexedDB.deleteDatabase(PREFIX + id);
        r.onsuccess = r.onblocked = () => resolve();
        r.onerror = () => reject(r.error);
      });
    },
    async keys(prefix) {
      const out: string[] = [];
      for (const id of await runIds()) {
        if (prefix === 'run/') {
          out.push(`run/${id}`);
          continue;
        }
        if (!`ckpt/${id}/`.startsWith(prefix) && !prefix.startsWith(`ckpt/${id}/`)) continue;
        try {
          for (const k of await keys<string>(storeOf(id)))
            if (typeof k === 'string' && k.startsWith(prefix)) out.push(k);
        } catch {
          // a database that cannot be opened: its run is still listed (run/ keys), with what went wrong
        }
      }
      return out;
    },
  };
}

/** Moves runs from the one shared database of earlier versions into a database each. */
async function migrateShared(storeOf: (id: string) => UseStore): Promise<void> {
  if (!(await indexedDB.databases()).some((d) => d.name === 'webgrpo')) return;
  const shared = createStore('webgrpo', 'checkpoints');
  for (const k of await keys<string>(shared)) {
    if (typeof k !== 'string') continue;
    try {
      const [id, inner] = splitKey(k);
      const v = await get(k, shared);
      if (v !== undefined) await set(inner, v, storeOf(id));
      await del(k, shared);
    } catch {
      // an unreadable entry stays where it was
    }
  }
}

/** The Origin Private File System as a store (one file per key), or undefined where there is none. */
export function opfsStore(dirName = 'webgrpo-checkpoints'): BlobStore | undefined {
  const storage = (globalThis as { navigator?: Navigator }).navigator?.storage;
  if (!storage?.getDirectory) return undefined;
  const dir = async () => (await storage.getDirectory()).getDirectoryHandle(dirName, { create: true });
  const name = (key: string) => encodeURIComponent(key);
  const missing = (e: unknown) => (e as Error)?.name === 'NotFoundError';
  return {
    async get(key) {
      try {
        const file = await (await (await dir()).getFileHandle(name(key))).getFile();
        return new Uint8Array(await file.arrayBuffer());
      } catch (e) {
        if (missing(e)) return undefined;
        throw e;
      }
    },
    async set(key, value) {
      await writeFile(await (await dir()).getFileHandle(name(key), { create: true }), value);
    },
    async del(key) {
      await (await dir()).removeEntry(name(key)).catch((e) => {
        if (!missing(e)) throw e;
      });
    },
    async keys(prefix) {
      const out: string[] = [];
      const d = (await dir()) as FileSystemDirectoryHandle & { keys(): AsyncIterable<string> };
      for await (const n of d.keys()) {
        const k = decodeURIComponent(n);
        if (k.startsWith(prefix)) out.push(k);
      }
      return out;
    },
  };
}

/** Writes a whole file: createWritable where the browser has it in workers, else a sync access handle (Safari). */
async function writeFile(h: FileSystemFileHandle, value: Uint8Array): Promise<void> {
  if ('createWritable' in h) {
    const w = await h.createWritable();
    await w.write(value as BufferSource);
    await w.close();
    return;
  }
  type Sync = {
    truncate(n: number): void;
    write(b: Uint8Array, o: { at: number }): number;
    flush(): void;
    close(): void;
  };
  const a = await (h as unknown as { createSyncAccessHandle(): Promise<Sync> }).createSyncAccessHandle();
  try {
    a.truncate(0);
    a.write(value, { at: 0 });
    a.flush();
  } finally {
    a.close();
  }
}
