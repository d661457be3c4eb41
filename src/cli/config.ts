// `webgrpo config from-trl FILE [--out run.json] [--num-processes N] [--json]`: a TRL GRPO config (the YAML
// `trl grpo --config` takes, or a JSON dict of GRPOConfig + LoraConfig kwargs) as our run config, with a
// table of what became of each field (mapped, changed and how, not supported and what happens instead).
// Typos are refused with the nearest TRL name. Without --out the config goes to stdout and the table to
// stderr; with --out the table goes to stdout. --json prints {config, rows} instead.
//
// `webgrpo config to-trl run.json [--out trl.yaml]`: the reverse, as the YAML `trl grpo --config` reads,
// with what does not carry over listed in the header and on stderr.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { parseRunConfig } from '../engine/config.ts';
import { fromTrl } from '../engine/trl/from-trl.ts';
import { toTrl } from '../engine/trl/to-trl.ts';
import { mappingTable, parseTrlText, trlYaml } from '../engine/trl/text.ts';

class UsageError extends Error {
  readonly name = 'UsageError';
}

const USAGE = `Usage: webgrpo config from-trl FILE [--out run.json] [--num-processes N] [--json]
       webgrpo config to-trl run.json [--out trl.yaml]`;

function read(file: string | undefined): string {
  if (!file) throw new UsageError(`give a file\n${USAGE}`);
  if (!fs.existsSync(file)) throw new UsageError(`${file}: no such file`);
  return fs.readFileSync(file, 'utf8');
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { out: { type: 'string' }, 'num-processes': { type: 'string' }, json: { type: 'boolean' } },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
  const [sub, file, ...extra] = parsed.positionals;
  const v = parsed.values;
  if (extra.length) throw new UsageError(`unexpected ${extra.join(' ')}\n${USAGE}`);
  if (sub === 'from-trl') {
    const n = v['num-processes'] === undefined ? 1 : Number(v['num-processes']);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--num-processes must be a positive integer`);
    const { config, rows } = fromTrl(parseTrlText(read(file)), { numProcesses: n });
    if (v.json) process.stdout.write(`${JSON.stringify({ config, rows }, null, 2)}\n`);
    else if (v.out) {
      fs.writeFileSync(v.out, `${JSON.stringify(config, null, 2)}\n`);
      process.stdout.write(`${mappingTable(rows)}\n\nwrote ${v.out}\n`);
    } else {
      process.stderr.write(`${mappingTable(rows)}\n`);
      process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
    }
    return 0;
  }
  if (sub === 'to-trl') {
    let json: unknown;
    try {
      json = JSON.parse(read(file));
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`${file}: not valid JSON (${(e as Error).message})`);
    }
    const { trl, rows } = toTrl(parseRunConfig(json));
    const header = [
      `TRL GRPOConfig + ModelConfig for: trl grpo --config <this file> (made by webgrpo config to-trl)`,
      ...rows.map((r) => `${r.ours ?? r.trl}: ${r.status}: ${r.note}`),
    ];
    const yaml = trlYaml(trl, header);
    if (v.out) fs.writeFileSync(v.out, yaml);
    else process.stdout.write(yaml);
    process.stderr.write(`${mappingTable(rows)}\n`);
    return 0;
  }
  throw new UsageError(USAGE);
}
