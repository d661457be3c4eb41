// Uploaded datasets live in IndexedDB (idb-keyval), keyed by file name, so the training worker can read
// what the page uploaded and a reload keeps them.
import { get, set, keys, del } from 'idb-keyval';
import type { Row } from './types.ts';

const PREFIX = 'webgrpo-dataset:';

export async function saveUploadedDataset(name: string, rows: Row[]): Promise<void> {
  await set(PREFIX + name, rows);
}

export async function loadUploadedDataset(name: string): Promise<Row[] | null> {
  return (await get<Row[]>(PREFIX + name)) ?? null;
}

export async function uploadedDatasetNames(): Promise<string[]> {
  return (await keys())
    .map(String)
    .filter((k) => k.startsWith(PREFIX))
    .map((k) => k.slice(PREFIX.length));
}

export async function deleteUploadedDataset(name: string): Promise<void> {
  await del(PREFIX + name);
}
