// `webgrpo train --preset NAME | --config FILE.json | --link URL [--adapter DIR] [--steps N] [--out DIR]
//   [--resume] [--headed] [--allow-custom-code]`
// Runs training in headless Chromium, in the app's own Web Worker (the same code as the page), and writes:
//   DIR/metrics.jsonl (streamed), DIR/completions.jsonl, DIR/config.json, DIR/adapter/ (PEFT),
//   DIR/summary.json (baseline and final eval, time, tokens/s).
// Ctrl-C saves a checkpoint first; --resume continues the run saved in DIR exactly. Browser state
// (IndexedDB checkpoints) lives in DIR/.browser, so a run and its resume share it.
// A config or link carrying custom JavaScript reward code is refused unless --allow-custom-code is given
// (the code then runs in the QuickJS sandbox of the reward worker, as in the app after its confirmation).
// --adapter DIR starts the run from a PEFT adapter folder (one exported by webgrpo or trained with PEFT):
// its r, alpha, target_modules and use_rslora fill the config's lora section where the config leaves them
// out, and a config that sets them otherwise is refused naming the field (src/engine/lora-start.ts).
import fs from 'node:fs';
import path from 'node:path';
import { parseOptions, UsageError } from './args.ts';
import { parseRunConfig, type RunConfig } from '../engine/config.ts';
import { presetConfig } from '../engine/presets.ts';
import { customCode, decodeLink } from '../engine/link.ts';
import { openHeadless, readAdapter, type HeadlessPage, type WireAdapter } from './headless.ts';
import { adapterLora, checkAdapterLora, withAdapterLora } from '../engine/lora-start.ts';
import { MetricsLog, eventLine, writeRunOutputs } from './run-output.ts';
import { prepareOutDir } from './out-dir.ts';
import { PageError, oneLine } from './page-error.ts';
import { PhaseClock } from './phases.ts';
import { formatDuration, predictionLine, predictRunTime } from '../engine/predict.ts';
import type { TrainerEvent, RunHistory } from '../worker/protocol.ts';

const USAGE =
  'Usage: webgrpo train (--preset NAME | --config FILE.json | --link URL) [--adapter DIR] [--steps N] [--out DIR] [--resume] [--headed] [--allow-custom-code]';

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parseOptions(
    argv,
    {
      preset: { type: 'string' },
      config: { type: 'string' },
      link: { type: 'string' },
      adapter: { type: 'string' },
      steps: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'boolean' },
      headed: { type: 'boolean' },
      'allow-custom-code': { type: 'boolean' },
    },
    USAGE,
  );
  const out = path.resolve(v.out ?? 'webgrpo-run');
  const runFile = path.join(out, 'run.json');
  let config: RunConfig;
  let resumeId: string | null = null;
  // nothing is created before the inputs are known to be good
  if (v.resume && v.adapter)
    throw new UsageError('--adapter starts a new run; a resumed run continues from its own checkpoint: drop one');
  const adapter = v.adapter ? readAdapter(v.adapter) : null;
  if (v.resume) {
    const saved = readSavedRun(out, runFile);
    resumeId = saved.runId;
    config = parseRunConfig(saved.config);
  } else {
    config = await loadConfig(v, adapter?.config ?? null);
  }
  if (adapter) checkAdapterLora(config, adapter.config); // a link is a whole config: it must match already
  if (customCode(config).length && !v['allow-custom-code']) throw new UsageError(customCodeRefusal(v));
  if (v.steps) {
    const n = Number.parseInt(v.steps, 10);
    if (!(n > 0)) throw new UsageError(`--steps ${v.steps}: give a positive integer`);
    config = parseRunConfig({ ...config, run: { ...config.run, max_steps: n } });
  }
  prepareOutDir(out);
  fs.writeFileSync(path.join(out, 'config.json'), JSON.stringify(config, null, 2));
  const page = await openHeadless({
    profileDir: path.join(out, '.browser'),
    headed: !!v.headed,
    modelDir: localModelDir(config),
  });
  try {
    return await trainInPage(page, config, resumeId, out, runFile, adapter);
  } finally {
    await page.close();
  }
}

function readSavedRun(out: string, runFile: string): { runId: string; config: unknown } {
  if (!fs.existsSync(runFile))
    throw new UsageError(
      `--resume: ${out} holds no run to resume (no run.json there), so nothing was done or created; start a run with --out ${out}`,
    );
  try {
    const saved = JSON.parse(fs.readFileSync(runFile, 'utf8')) as { runId?: unknown; config?: unknown };
    if (typeof saved.runId !== 'string' || !saved.config) throw new Error('no runId and config in it');
    return { runId: saved.runId, config: saved.config };
  } catch (e) {
    throw new UsageError(`--resume: ${runFile} is damaged (${(e as Error).message}); start a new run in another --out`);
  }
}

/**
 * The run config. With --adapter (its adapter_config.json in `adapter`): a file's LoRA fields are filled from
 * the adapter where it leaves them out and must match where it sets them; a preset's are the adapter's; a
 * link is a whole config, whose LoRA fields must match.
 */
async function loadConfig(
  v: { preset?: string; config?: string; link?: string },
  adapter: Record<string, unknown> | null,
): Promise<RunConfig> {
  const given = [v.preset, v.config, v.link].filter(Boolean).length;
  if (given !== 1) throw new UsageError(`give exactly one of --preset, --config or --link\n${USAGE}`);
  if (v.preset) {
    const c = presetConfig(v.preset);
    return adapter ? parseRunConfig({ ...c, lora: { ...c.lora, ...adapterLora(adapter) } }) : c;
  }
  if (v.link) return decodeLink(v.link);
  if (!fs.existsSync(v.config!)) throw new UsageError(`--config ${v.config}: no such file`);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(v.config!, 'utf8'));
  } catch (e) {
    throw new UsageError(`--config ${v.config}: not valid JSON (${(e as Error).message})`);
  }
  return parseRunConfig(adapter ? withAdapterLora(json, adapter, `--config ${v.config}`) : json);
}

function customCodeRefusal(v: { config?: string; link?: string; resume?: boolean }): string {
  const where = v.resume ? 'the run to resume' : v.link ? '--link' : `--config ${v.config}`;
  return (
    `${where} carries custom JavaScript reward code, refused: read it, and if you trust it add --allow-custom-code ` +
    '(it then runs in a sandbox with no network, page or storage, under memory and time limits)'
  );
}

/** A model given as a local folder is served to the page under /local-model/. */
function localModelDir(cfg: RunConfig): string | undefined {
  const id = cfg.model.id;
  return id !== 'demo' && fs.existsSync(path.join(id, 'config.json')) ? path.resolve(id) : undefined;
}

async function trainInPage(
  page: HeadlessPage,
  config: RunConfig,
  resumeId: string | null,
  out: string,
  runFile: string,
  adapter: WireAdapter | null,
): Promise<number> {
  const metrics = new MetricsLog(path.join(out, 'metrics.jsonl'), resumeId !== null);
  const started = Date.now();
  const clock = new PhaseClock(started);
  const phase = (p: Parameters<PhaseClock['enter']>[0]) => {
    const line = clock.enter(p, Date.now());
    if (line !== null) process.stderr.write(`${line}\n`);
  };
  let failure: PageError | null = null;
  let interrupted: NodeJS.Signals | null = null;
  const done = new Promise<void>((resolve) => {
    page.onEvent((e: TrainerEvent) => {
      if (e.kind === 'metrics') metrics.write(e.metrics);
      if (e.kind === 'progress') phase(e.progress.stage);
      if (e.kind === 'state' && ['done', 'paused', 'error'].includes(e.status.state)) phase('finish');
      const line = eventLine(e, config, started);
      if (line !== null) process.stderr.write(`${line}\n`);
      if (e.kind === 'error') {
        failure = new PageError(e.error.name, e.error.message);
        resolve();
      } else if (e.kind === 'state' && ['done', 'error'].includes(e.status.state)) {
        if (e.status.state === 'error' && !failure)
          failure = new PageError('TrainingError', e.status.message ?? 'the run failed');
        resolve();
      }
    });
  });
  // Ctrl-C or SIGTERM: finish the step and save; a second one aborts
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(exitCodeOf(signal));
    interrupted = signal;
    process.stderr.write('\nstopping: finishing the current step and saving a checkpoint (Ctrl-C again to abort)...\n');
    void page.call('stop').catch(() => undefined);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let runId: string | null = resumeId;
  try {
    phase('probe');
    await printPrediction(page, config);
    const status = await page.startRun(config, resumeId, adapter);
    runId = status.runId;
    metrics.open(status.step);
    fs.writeFileSync(runFile, JSON.stringify({ runId: status.runId, config }, null, 2));
    await done;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (failure) throw failure;
  // the whole run's history and evaluations (a resumed run's include those before the checkpoint)
  const whole = await page.call<RunHistory>('runHistory', runId);
  await writeRunOutputs(page, out, {
    started,
    evals: whole.evals,
    history: whole.history,
    resumedFrom: metrics.resumedFrom,
    phaseSeconds: clock.seconds(Date.now()),
  });
  process.stderr.write(
    interrupted
      ? `checkpoint saved; continue with: webgrpo train --resume --out ${out}\n`
      : `done: outputs in ${out}\n`,
  );
  return interrupted ? exitCodeOf(interrupted) : 0;
}

/** The predicted time of a step and of the run, from a few seconds of the real kernels on this machine. */
async function printPrediction(page: HeadlessPage, config: RunConfig): Promise<void> {
  // a model that cannot be read fails the run next, with its own error: the prediction only says why it is missing
  const r = await page.probeSpeed(config).catch((e: Error) => {
    process.stderr.write(`no time prediction: ${oneLine(e.message)}\n`);
    return null;
  });
  if (!r) return;
  const how = r.cached ? 'kernel times cached' : `kernels timed in ${formatDuration(r.probe.probeMs / 1000)}`;
  process.stderr.write(`${predictionLine(predictRunTime(r.probe, r.layers, config), config.run.max_steps)}; ${how}\n`);
}

/** The shell's convention: 128 + the signal's number. */
const exitCodeOf = (signal: NodeJS.Signals) => (signal === 'SIGTERM' ? 143 : 130);
