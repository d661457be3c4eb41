// What `webgrpo train` prints and writes: a compact progress line per step, and at the end the adapter
// (PEFT folder), the completions log and summary.json.
import fs from 'node:fs';
import path from 'node:path';
import type { RunConfig } from '../engine/config.ts';
import type { StepMetrics, EvalResult, PeftFiles } from '../worker/protocol.ts';
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

export interface RunTotals {
  started: number;
  evals: EvalResult[];
  history: StepMetrics[];
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
  const seconds = (Date.now() - t.started) / 1000;
  const tokens = t.history.reduce((n, m) => n + (m.values.num_tokens_step ?? 0), 0);
  const last = t.history.at(-1)?.values ?? {};
  const summary = {
    baseline_eval: t.evals[0] ?? null,
    final_eval: t.evals.length > 1 ? t.evals.at(-1) : null,
    steps: t.history.length,
    seconds,
    tokens_per_second: last.num_tokens && seconds > 0 ? last.num_tokens / seconds : tokens / Math.max(seconds, 1e-9),
    final_metrics: last,
  };
  fs.writeFileSync(path.join(out, 'summary.json'), JSON.stringify(summary, null, 2));
}
