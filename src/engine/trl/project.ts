// Every file of the exported TRL project, by path: what `webgrpo export trl` writes to a folder and the
// app's Config tab zips. The data comes in already written as Parquet (src/data/export-rows.ts).
//
//   const files = trlProjectFiles(config, { train, test, counts }, 'node /opt/webgrpo/bin/webgrpo.mjs reward serve')
import type { RunConfig } from '../config.ts';
import { toTrl } from './to-trl.ts';
import { trlYaml } from './text.ts';
import { ACCELERATE, REQUIREMENTS, TRAIN_PY, exportReadme, rewardsPy } from './export-files.ts';

export interface ExportData {
  train: Uint8Array;
  test: Uint8Array;
  counts: { train: number; test: number };
}

export function trlProjectFiles(
  c: RunConfig,
  data: ExportData,
  serveCommand: string,
): Record<string, string | Uint8Array> {
  const { trl, rows } = toTrl(c);
  const header = [
    'The webgrpo run config (run.json) as TRL GRPOConfig + ModelConfig fields; train.py reads this file.',
    ...rows.map((r) => `${r.ours ?? r.trl}: ${r.status}: ${r.note}`),
  ];
  return {
    'train.py': TRAIN_PY,
    'rewards.py': rewardsPy(c, serveCommand),
    'trl.yaml': trlYaml(trl, header),
    'run.json': `${JSON.stringify(c, null, 2)}\n`,
    'requirements.txt': `${REQUIREMENTS.join('\n')}\n`,
    'README.md': exportReadme(c, rows, data.counts),
    'data/train.parquet': data.train,
    'data/test.parquet': data.test,
    ...Object.fromEntries(Object.entries(ACCELERATE).map(([k, v]) => [`accelerate/${k}`, v])),
  };
}
