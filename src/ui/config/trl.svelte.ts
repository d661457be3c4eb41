// The Config tab's TRL crossing: a TRL config (pasted or from a file: the YAML `trl grpo --config` takes,
// or a JSON dict of GRPOConfig + LoraConfig kwargs) replaces the form, with the table of what became of
// each field; the form goes out as TRL's YAML, or as a whole TRL project (zip) for a cluster.
//
//   const ts = new TrlState(cs); ts.importText(yaml); ts.rows   // [{ trl, value, ours, status, note }]
import { zipSync, strToU8 } from 'fflate';
import type { RunConfig } from '../../engine/config.ts';
import type { MappingRow } from '../../engine/trl/from-trl.ts';
import { fromTrl, TrlConfigError, toTrl, parseTrlText, trlYaml, trlProjectFiles } from '../../worker/shared.ts';
import { exportRows, rowsParquet } from '../../data/export-rows.ts';
import type { ConfigState } from './config.svelte.ts';
import type { HubSettings } from '../../worker/protocol.ts';

/** What rewards.py starts when WEBGRPO_REWARD_CMD is not set (the README says to set it). */
const SERVE = 'node webgrpo/bin/webgrpo.mjs reward serve';

export class TrlState {
  rows = $state<MappingRow[]>([]);
  problems = $state<string[]>([]);
  busy = $state(false);

  /** `hub`: the Hub endpoint and token for a Hub dataset's rows (the Model tab's Hub settings). */
  constructor(
    private readonly cs: ConfigState,
    private readonly hub: () => HubSettings = () => ({}),
  ) {}

  /** Replaces the form with the TRL config's mapping; on a problem the form is kept and the problems shown. */
  importText(text: string, numProcesses = 1): boolean {
    try {
      const { config, rows } = fromTrl(parseTrlText(text), { numProcesses });
      this.cs.config = config;
      this.cs.preset = '';
      this.rows = rows;
      this.problems = [];
      return true;
    } catch (e) {
      this.rows = [];
      this.problems = e instanceof TrlConfigError ? e.problems : [(e as Error).message];
      return false;
    }
  }

  private current(): RunConfig {
    return $state.snapshot(this.cs.config) as RunConfig;
  }

  /** The form as TRL's YAML, what does not carry over in its header; the rows shown below. */
  yaml(): string {
    const { trl, rows } = toTrl(this.current());
    this.rows = rows;
    return trlYaml(trl, [
      'TRL GRPOConfig + ModelConfig made by webgrpo',
      ...rows.map((r) => `${r.ours ?? r.trl}: ${r.status}: ${r.note}`),
    ]);
  }

  /** The exported TRL project as a zip (the data loaded here, as for training). */
  async projectZip(): Promise<Uint8Array | null> {
    this.busy = true;
    try {
      const c = this.current();
      const { train, test } = await exportRows(c, this.hub());
      const files = trlProjectFiles(
        c,
        {
          train: new Uint8Array(rowsParquet(train)),
          test: new Uint8Array(rowsParquet(test)),
          counts: { train: train.length, test: test.length },
        },
        SERVE,
      );
      this.rows = toTrl(c).rows;
      this.problems = [];
      const tree = Object.fromEntries(
        Object.entries(files).map(([k, v]) => [`webgrpo-trl/${k}`, typeof v === 'string' ? strToU8(v) : v]),
      );
      return zipSync(tree);
    } catch (e) {
      this.problems = [`the project could not be made: ${(e as Error).message}`];
      return null;
    } finally {
      this.busy = false;
    }
  }
}
