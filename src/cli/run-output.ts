// What `webgrpo train` prints and writes: a compact progress line per step, and at the end the adapter
// (PEFT folder), the completions log and summary.json.
import fs from 'node:fs';
import path from 'node:path';
import type { RunConfig } from '../engine/config.ts';
import type { StepMetrics, EvalResult, PeftFiles, TrainerEvent } from '../worker/protocol.ts';
import { oneLine } from './page-error.ts';
import type { HeadlessPage } from './headless.ts';

const f = (x: number | undefined, d = 3) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(d));

export function progressLine(m: StepMetrics, cfg: RunConfig, started: number): string {
  const total = m.phase === 'sft' ? cfg.run.sft_steps || cfg.run.max_steps : cfg.run.max_steps;
  const v = m.values;
  const elapsed = (Date.now() - started) / 1000;
  const parts = [`[${m.phase}] step ${m.step}/${total}`, `loss ${f(v.loss, 4)}`];
  if (m.phase === 'grpo')
    parts.push(
      `reward ${f(v.reward)}`,
      ...(v.kl !== undefined ? [`kl ${f(v.kl, 4)}`] : []),
      `entropy ${f(v.entropy)}`,
      `len ${f(v['completions/mean_length'], 1)}`,
    );
  parts.push(`grad ${f(v.grad_norm)}`, `lr ${v.learning_rate?.toExponential(1) ?? '-'}`, `${elapsed.toFixed(0)}s`);
  return parts.join(' | ');
}

/** What the terminal shows of a trainer event (one line), or null for events it does not show. */
export function eventLine(e: TrainerEvent, cfg: RunConfig, started: number): string | null {
  if (e.kind === 'metrics') return progressLine(e.metrics, cfg, started);
  if (e.kind === 'eval') return evalLine(e.result);
  // e.g. a corrupt checkpoint passed over on resume
  if (e.kind === 'log') return oneLine(e.message);
  if (e.kind === 'progress' && e.progress.notCached) return `note: ${oneLine(e.progress.notCached)}`;
  return null;
}

/** "eval @ step 10: accuracy 40.0% (n=20)", then each environment's success rate when it played environments. */
export function evalLine(r: EvalResult): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const envs = r.environments?.per_env.map((s) => `${s.env} ${pct(s.success_rate)} (return ${f(s.mean)})`) ?? [];
  return [`eval @ step ${r.step}: accuracy ${pct(r.accuracy)} (n=${r.n})`, ...envs].join(' | ');
}

export interface RunTotals {
  started: number;
  /** The whole run's evaluations and steps (a resumed run's include those before its checkpoint). */
  evals: EvalResult[];
  history: StepMetrics[];
  /** The checkpoint's step this invocation resumed from (0 for a fresh run). */
  resumedFrom: number;
  /** Seconds in each phase of this invocation (PhaseClock), when measured. */
  phaseSeconds?: Record<string, number>;
}

export async function writeRunOutputs(page: HeadlessPage, out: string, t: RunTotals): Promise<void> {
  const adapter = await page.call<PeftFiles & { weights: string }>('exportAdapter');
  // a local folder reaches the page as a URL of this run's server: PEFT records the folder instead
  if (page.modelDir && adapter.config.base_model_name_or_path === `${page.baseUrl}/local-model`)
    adapter.config.base_model_name_or_path = page.modelDir;
  fs.mkdirSync(path.join(out, 'adapter'), { recursive: true });
  fs.writeFileSync(path.join(out, 'adapter', 'adapter_config.json'), JSON.stringify(adapter.config, null, 2));
  fs.writeFileSync(path.join(out, 'adapter', 'adapter_model.safetensors'), Buffer.from(adapter.weights, 'base64'));
  fs.writeFileSync(path.join(out, 'completions.jsonl'), await page.call<string>('exportCompletions'));
  fs.writeFileSync(path.join(out, 'summary.json'), JSON.stringify(runSummary(t), null, 2));
}

/** summary.json: baseline (step 0) and final evaluation (with per-environment figures) and step count of the whole run; time and speed of this invocation. */
export function runSummary(t: RunTotals) {
  const seconds = (Date.now() - t.started) / 1000;
  const last = t.history.at(-1)?.values ?? {};
  const before = t.history.filter((m) => m.step <= t.resumedFrom).at(-1)?.values.num_tokens ?? 0;
  const tokens = (last.num_tokens ?? 0) - before;
  const baseline = t.evals.find((e) => e.step === 0) ?? t.evals[0] ?? null;
  const final = t.evals.length > 1 ? t.evals.at(-1)! : null;
  return {
    baseline_eval: baseline,
    final_eval: final,
    // per-environment figures (success rate, return mean/std/median, 80% interval) when the run plays environments
    ...(baseline?.environments || final?.environments
      ? { environments: { baseline: baseline?.environments ?? null, final: final?.environments ?? null } }
      : {}),
    steps: t.history.length,
    ...(t.resumedFrom > 0 ? { resumed_from_step: t.resumedFrom } : {}),
    seconds,
    // the most bytes of GPU buffers WebGPU held at once in the page, model load included (null off WebGPU)
    peak_gpu_bytes: t.history.reduce<number | null>((m, h) => {
      const b = h.values.gpu_peak_bytes;
      return b === undefined ? m : Math.max(m ?? 0, b);
    }, null),
    tokens_per_second: seconds > 0 ? tokens / seconds : 0,
    ...(t.phaseSeconds ? { phase_seconds: t.phaseSeconds } : {}),
    final_metrics: last,
  };
}

/**
 * metrics.jsonl, one record per step, written as steps arrive. A fresh run starts it empty; a resumed
 * run keeps the records up to its checkpoint's step and drops the later ones, which it trains again
 * (so every step is in the file once).
 */
export class MetricsLog {
  private opened = false;
  resumedFrom = 0;

  constructor(
    private readonly file: string,
    private readonly resumed: boolean,
  ) {}

  /** Starts the file; `upToStep` is the step the run continues from. Later calls do nothing. */
  open(upToStep: number): void {
    if (this.opened) return;
    this.opened = true;
    this.resumedFrom = this.resumed ? upToStep : 0;
    const kept =
      this.resumed && fs.existsSync(this.file) ? recordsUpTo(fs.readFileSync(this.file, 'utf8'), upToStep) : [];
    fs.writeFileSync(this.file, kept.map((l) => `${l}\n`).join(''));
  }

  write(m: StepMetrics): void {
    this.open(m.step - 1);
    fs.appendFileSync(this.file, `${JSON.stringify({ step: m.step, phase: m.phase, ...m.values })}\n`);
  }
}

function recordsUpTo(text: string, step: number): string[] {
  return text.split('\n').filter((line) => {
    try {
      const s = (JSON.parse(line) as { step?: unknown }).step;
      return typeof s === 'number' && s <= step;
    } catch {
      return false;
    }
  });
}
