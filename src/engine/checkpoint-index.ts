// The index of saved runs, made to survive damage: each run's record is read on its own, so one corrupt
// record costs that record alone (the run is listed again from its checkpoints, with `problem` saying
// what happened), and the newest checkpoint of an unfinished run is kept in a second store (the mirror:
// the browser's Origin Private File System), from which a run the database lost is listed and resumed.
//
// Keys: `run/<id>` (the record, JSON), `ckpt/<id>/<step, 8 digits>-<time>` (checkpoints) in the store;
// `mirror/<id>/<step, 8 digits>` in the mirror.
import { CheckpointCorruptError } from './snapshot.ts';
import {
  decodeCheckpoint,
  totalStepsOf,
  type BlobStore,
  type CheckpointInfo,
  type RunRecord,
} from './checkpoint-format.ts';

export const isMirrorKey = (key: string) => key.startsWith('mirror/');
const stepOf = (key: string) => Number(/\/(\d{8})(?:-|$)/.exec(key)?.[1] ?? NaN);

export class RunIndex {
  constructor(
    private readonly store: BlobStore,
    private readonly mirrorStore?: BlobStore,
  ) {}

  /**
   * Ids of every run with a record, a checkpoint or a mirrored checkpoint. A store that cannot be listed (a
   * database the browser cannot open) lists nothing, so the mirror's runs are still listed; reading each
   * one's record then fails and says why.
   */
  async runIds(): Promise<string[]> {
    const ids = new Set<string>();
    const keys = (s: BlobStore | undefined, prefix: string) => s?.keys(prefix).catch(() => []) ?? [];
    for (const k of await keys(this.store, 'run/')) ids.add(k.slice(4));
    for (const k of await keys(this.store, 'ckpt/')) ids.add(k.split('/')[1]);
    for (const k of await keys(this.mirrorStore, 'mirror/')) ids.add(k.split('/')[1]);
    return [...ids].filter(Boolean);
  }

  /** The stored record; null when there is none; CheckpointCorruptError naming the run when it is damaged. */
  async read(runId: string): Promise<RunRecord | null> {
    const b = await this.store.get(`run/${runId}`);
    if (!b) return null;
    let rec: RunRecord;
    try {
      rec = JSON.parse(new TextDecoder().decode(b)) as RunRecord;
    } catch (e) {
      throw new CheckpointCorruptError(`the index record of run ${runId} is not valid JSON (${(e as Error).message})`);
    }
    const ok =
      rec?.runId === runId &&
      Array.isArray(rec.checkpoints) &&
      rec.checkpoints.every((c) => typeof c?.key === 'string' && Number.isInteger(c.step));
    if (!ok) throw new CheckpointCorruptError(`the index record of run ${runId} is damaged (fields missing)`);
    return rec;
  }

  /** The run's record, or one rebuilt from its checkpoints when the record is damaged or lost; never throws. */
  async resolve(runId: string): Promise<RunRecord> {
    let problem: string;
    try {
      const rec = await this.read(runId);
      if (rec) return rec;
      problem = 'its index record was lost';
    } catch (e) {
      problem = (e as Error).message;
    }
    return this.rebuild(runId, problem);
  }

  /** The record a save builds on: the stored one, or the rebuilt one (which the save then repairs). */
  async forSave(runId: string): Promise<RunRecord | null> {
    const rec = await this.read(runId).catch(() => undefined);
    if (rec) return rec;
    const any = (await this.store.keys(`ckpt/${runId}/`)).length || (await this.mirrored(runId)).length;
    return rec === null && !any ? null : this.resolve(runId);
  }

  /**
   * A record from whatever checkpoints of the run are still there, with `problem` saying what was lost.
   * Unreadable ones stay listed beside the intact ones (so loading passes over them and says so, and the
   * next save or a delete removes them), named in `problem`; with nothing intact, nothing is listed.
   */
  private async rebuild(runId: string, problem: string): Promise<RunRecord> {
    const infos = [...(await this.stored(runId)), ...(await this.mirrored(runId))].sort((a, b) => a.step - b.step);
    const intact: CheckpointInfo[] = [],
      unreadable: { info: CheckpointInfo; error: string }[] = [];
    let newest: ReturnType<typeof decodeCheckpoint> | null = null;
    for (const info of infos) {
      try {
        const bytes = await this.blob(info.key);
        if (!bytes) continue;
        try {
          newest = decodeCheckpoint(bytes);
          intact.push({ ...info, bytes: bytes.length });
        } catch (e) {
          unreadable.push({ info: { ...info, bytes: bytes.length }, error: (e as Error).message });
        }
      } catch {
        // a copy that cannot be read at all (its store failed): the others may still be intact
      }
    }
    const kept = dedupeBySteps(intact);
    const bad = dedupeBySteps(unreadable.map((u) => u.info)).filter((b) => !kept.some((k) => k.step === b.step));
    const onlyMirror = kept.length > 0 && kept.every((c) => isMirrorKey(c.key));
    const recovered = !newest
      ? 'nothing of it can be read: delete it'
      : onlyMirror
        ? 'it was recovered from the second copy of its newest checkpoint'
        : `it was listed again from its ${kept.length} intact checkpoint${kept.length > 1 ? 's' : ''}`;
    const lost = bad.map((b) => `step ${b.step} (${unreadable.find((u) => u.info.key === b.key)!.error})`);
    const at = Date.now();
    return {
      runId,
      createdAt: at,
      updatedAt: at,
      modelId: newest?.config.model.id ?? '?',
      mode: newest?.config.run.mode ?? '?',
      totalSteps: newest ? totalStepsOf(newest) : 0,
      lastStep: newest?.state.step ?? 0,
      finished: false,
      checkpoints: kept.length ? [...kept, ...bad].sort((a, b) => a.step - b.step) : [],
      best: null,
      problem: `${problem}; ${recovered}${lost.length ? `; the checkpoint${lost.length > 1 ? 's' : ''} of ${lost.join(', ')} could not be read` : ''}`,
    };
  }

  private async stored(runId: string): Promise<CheckpointInfo[]> {
    const keys = await this.store.keys(`ckpt/${runId}/`).catch(() => []); // a database that cannot be opened
    return keys.map((key) => blankInfo(runId, key));
  }

  /** The mirrored checkpoints of a run (normally one). */
  async mirrored(runId: string): Promise<CheckpointInfo[]> {
    const keys = (await this.mirrorStore?.keys(`mirror/${runId}/`).catch(() => [])) ?? [];
    return keys.map((key) => blankInfo(runId, key));
  }

  async blob(key: string): Promise<Uint8Array | undefined> {
    return isMirrorKey(key) ? this.mirrorStore?.get(key) : this.store.get(key);
  }

  /**
   * Keeps `bytes` as the run's one mirrored checkpoint while the run is unfinished; a finished run's copy is
   * removed. The mirror is a second copy: its failure never fails the save, whose checkpoint is written.
   */
  async mirror(runId: string, step: number, bytes: Uint8Array, finished: boolean): Promise<void> {
    if (!this.mirrorStore) return;
    const key = `mirror/${runId}/${String(step).padStart(8, '0')}`;
    try {
      if (!finished) await this.mirrorStore.set(key, bytes);
      for (const k of await this.mirrorStore.keys(`mirror/${runId}/`))
        if (finished || k !== key) await this.mirrorStore.del(k);
    } catch {
      // quota or an unavailable file system: the database copy stands alone, as before the mirror existed
    }
  }

  async unmirror(runId: string): Promise<void> {
    for (const k of (await this.mirrorStore?.keys(`mirror/${runId}/`).catch(() => [])) ?? [])
      await this.mirrorStore!.del(k);
  }
}

function blankInfo(runId: string, key: string): CheckpointInfo {
  return { runId, step: stepOf(key), key, bytes: 0, crc: 0, createdAt: 0 };
}

/** One checkpoint per step, preferring the database's copy to the mirror's. */
function dedupeBySteps(infos: CheckpointInfo[]): CheckpointInfo[] {
  const by = new Map<number, CheckpointInfo>();
  for (const c of infos) if (!by.has(c.step) || isMirrorKey(by.get(c.step)!.key)) by.set(c.step, c);
  return [...by.values()].sort((a, b) => a.step - b.step);
}
