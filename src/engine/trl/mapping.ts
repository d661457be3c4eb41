// What a TRL import builds, field by field: our config as a nested partial object and one row per TRL
// field saying what became of it (from-trl.ts drives it; from-trl-parts.ts maps the fields that are more
// than a rename), and the error that lists what cannot be read.
import { TRL_DEFAULTS } from './fields.ts';

export type RowStatus = 'mapped' | 'changed' | 'unsupported';
/** One field's fate: `trl` and `ours` name it on each side (null: no such field there). */
export interface MappingRow {
  trl: string | null;
  value: unknown;
  ours: string | null;
  status: RowStatus;
  note: string;
}

export class TrlConfigError extends Error {
  readonly name = 'TrlConfigError';
  constructor(readonly problems: string[]) {
    super(`The TRL configuration cannot be read:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** What the mapping builds: our config as a nested partial object, and the rows. */
export class Mapping {
  readonly out: Record<string, Record<string, unknown>> = {};
  readonly rows: MappingRow[] = [];
  readonly done = new Set<string>();
  constructor(
    readonly input: Record<string, unknown>,
    readonly loraKeys: Set<string>,
  ) {}
  has(k: string): boolean {
    return this.input[k] !== undefined && this.input[k] !== null;
  }
  /** The file's value, else TRL's default. */
  get(k: string): unknown {
    return this.has(k) ? this.input[k] : TRL_DEFAULTS[k];
  }
  set(path: string, v: unknown): void {
    const [group, ...rest] = path.split('.');
    if (!rest.length) {
      (this.out as Record<string, unknown>)[group] = v;
      return;
    }
    let o = (this.out[group] ??= {});
    for (const k of rest.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
    o[rest.at(-1)!] = v;
  }
  /** A row for a field (only when the file has it, unless `always`), and the value into our config. */
  row(trl: string, ours: string | null, status: RowStatus, note: string, value = this.get(trl), always = false): void {
    this.done.add(trl);
    if (ours && value !== undefined && value !== null) this.set(ours, value); // null: nothing to set
    if (this.has(trl) || always)
      this.rows.push({
        trl,
        value: this.has(trl) ? this.input[trl] : value,
        ours,
        status,
        note: this.has(trl) ? note : `${note} (TRL default)`.trim(),
      });
  }
}
