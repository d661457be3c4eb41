// `webgrpo eval --model ID|DIR [--adapter DIR] --dataset NAME [--n N] [--config FILE.json] [--out FILE.json]`
// Evaluates headless in Chromium, in the app's worker, as `webgrpo train` runs: the model (a Hub id, "demo"
// or a local folder), with a PEFT adapter or without, on the held-out split of the dataset; prints the
// accuracy with its interval and writes the per-example results with --out.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseOptions, UsageError } from './args.ts';
import { parseRunConfig } from '../engine/config.ts';
import { prepareOutDir } from './out-dir.ts';
import { openHeadless, readAdapter, toWire } from './headless.ts';
import type { EvalResult } from '../worker/protocol.ts';

const USAGE =
  'Usage: webgrpo eval --model ID|DIR [--adapter DIR] --dataset NAME [--n N] [--config FILE.json] [--out FILE.json] [--headed]';

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parseOptions(
    argv,
    {
      model: { type: 'string' },
      adapter: { type: 'string' },
      dataset: { type: 'string' },
      n: { type: 'string' },
      config: { type: 'string' },
      out: { type: 'string' },
      headed: { type: 'boolean' },
    },
    USAGE,
  );
  if (!v.model || (!v.dataset && !v.config)) throw new UsageError(USAGE);
  const base = v.config
    ? (JSON.parse(fs.readFileSync(v.config, 'utf8')) as Record<string, Record<string, unknown>>)
    : {};
  const n = v.n === undefined ? undefined : Number.parseInt(v.n, 10);
  if (n !== undefined && !(n > 0)) throw new UsageError(`--n ${v.n}: give a positive integer`);
  const config = parseRunConfig({
    ...base,
    model: { ...base.model, id: v.model },
    data: { ...base.data, ...(v.dataset ? { dataset: v.dataset } : {}) },
    run: { ...base.run, ...(n ? { eval_examples: n } : {}) },
  });
  const adapter = v.adapter ? readAdapter(v.adapter) : null;
  // a place the results cannot be written is refused before the evaluation, not after it
  if (v.out) prepareOutDir(path.dirname(path.resolve(v.out)), `--out ${v.out}`);
  const local = fs.existsSync(path.join(v.model, 'config.json')) ? path.resolve(v.model) : undefined;
  const page = await openHeadless({
    profileDir: fs.mkdtempSync(path.join(os.tmpdir(), 'webgrpo-eval-')),
    headed: !!v.headed,
    modelDir: local,
  });
  try {
    page.onEvent((e) => {
      if (e.kind === 'progress' && e.progress.stage === 'eval')
        process.stderr.write(`\reval ${e.progress.done}/${e.progress.total}`);
    });
    const cfg = local ? { ...config, model: { ...config.model, id: `${page.baseUrl}/local-model` } } : config;
    const r = await page.call<EvalResult>('evaluateModel', cfg, adapter && toWire(adapter));
    process.stderr.write('\n');
    const summary = {
      model: v.model,
      adapter: v.adapter ?? null,
      dataset: config.data.dataset,
      n: r.n,
      k: r.k,
      accuracy: r.accuracy,
      interval: r.interval,
      metrics: r.metrics,
      ...(r.environments ? { environments: r.environments } : {}),
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    if (v.out) fs.writeFileSync(v.out, JSON.stringify(r, null, 2));
    return 0;
  } finally {
    await page.close();
  }
}
