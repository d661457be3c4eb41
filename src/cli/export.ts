// `webgrpo export trl --config run.json --out DIR [--force]`: a folder that runs the same recipe with TRL
// on one or many GPUs (train.py with GRPOTrainer + PEFT LoraConfig, the mapped TRL YAML, accelerate
// configs, the data as Parquet, rewards.py over `webgrpo reward serve`, pinned requirements, a README
// with the commands and what differs). The data is loaded here, as the browser loads it (a Hub dataset
// needs the network).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseRunConfig } from '../engine/config.ts';
import { trlProjectFiles } from '../engine/trl/project.ts';
import { exportRows, rowsParquet } from '../data/export-rows.ts';
import { hubFromEnv } from './hub-env.ts';

class UsageError extends Error {
  readonly name = 'UsageError';
}

const USAGE = 'Usage: webgrpo export trl --config run.json --out DIR [--force]';

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { config: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' } },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
  const v = parsed.values;
  if (parsed.positionals.join(' ') !== 'trl' || !v.config || !v.out) throw new UsageError(USAGE);
  if (!fs.existsSync(v.config)) throw new UsageError(`--config ${v.config}: no such file`);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(v.config, 'utf8'));
  } catch (e) {
    throw new UsageError(`--config ${v.config}: not valid JSON (${(e as Error).message})`);
  }
  const config = parseRunConfig(json);
  if (fs.existsSync(v.out) && fs.readdirSync(v.out).length && !v.force)
    throw new UsageError(`--out ${v.out} is not empty; pick a new folder or add --force to overwrite its files`);
  const { train, test } = await exportRows(config, hubFromEnv()); // a Hub dataset from HF_ENDPOINT, with HF_TOKEN
  const root = process.env.WEBGRPO_ROOT ?? process.cwd();
  const serve = `node ${path.join(root, 'bin', 'webgrpo.mjs')} reward serve`;
  const files = trlProjectFiles(
    config,
    {
      train: new Uint8Array(rowsParquet(train)),
      test: new Uint8Array(rowsParquet(test)),
      counts: { train: train.length, test: test.length },
    },
    serve,
  );
  for (const [rel, body] of Object.entries(files)) {
    const p = path.join(v.out, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, body);
  }
  process.stdout.write(
    `wrote ${Object.keys(files).length} files to ${v.out} (${train.length} training rows, ${test.length} held out); see ${path.join(v.out, 'README.md')}\n`,
  );
  return 0;
}
