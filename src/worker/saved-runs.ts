// A run as the session hands it out, from memory (the live run) or from its newest intact checkpoint (any
// saved run): its whole history, its adapter as PEFT files, and the notes about checkpoints passed over.
// So a finished run can be reopened, charted and exported after a reload without being resumed.
import { parseRunConfig, type RunConfig } from '../engine/config.ts';
import { peftFiles, type ModuleMatrices } from '../engine/lora-export.ts';
import type { LoraTarget } from '../engine/config.ts';
import { peftLoraSection } from '../engine/lora-peft.ts';
import type { EvalResult } from '../engine/evaluate.ts';
import type { CheckpointManager } from '../engine/checkpoint.ts';
import type { StepResult, Trainer, TrainerSnapshot } from '../engine/trainer.ts';
import { gpuPeakBytes } from '../engine/gpu-memory.ts';
import { diagnose } from '../engine/metrics.ts';
import {
  BusyError,
  type HistoryHeld,
  type HubSettings,
  type PeftFiles,
  type RunHistory,
  type RunState,
  type TrainerEvent,
} from './protocol.ts';

export const modelKey = (m: RunConfig['model'], hub: HubSettings) =>
  `${hub.endpoint ?? ''} ${m.id}@${m.revision}/${m.weight_dtype}`;

/** A run's id: its start time (UTC, to the second) and four random characters. */
export function newRunId(): string {
  const time = new Date()
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .slice(0, 14);
  return `${time}-${Math.random().toString(36).slice(2, 6)}`;
}

/** The live run's history; with `held`, only what came after it (unless the caller holds more than there is). */
export function liveHistory(runId: string, t: Trainer, state: RunState, held?: HistoryHeld): RunHistory {
  const after = held && held.steps <= t.history.length && held.evals <= t.evals.length ? held : undefined;
  return {
    runId,
    config: t.config,
    history: t.history.slice(after?.steps ?? 0),
    evals: t.evals.slice(after?.evals ?? 0),
    samples: after ? t.completions.filter((c) => c.step > after.sampleStep) : [...t.completions],
    step: t.step,
    totalSteps: t.totalSteps,
    finished: state === 'done' && t.step >= t.totalSteps,
    live: true,
    skipped: [],
    ...(after ? { after } : {}),
  };
}

export async function savedHistory(ckpts: CheckpointManager, runId: string): Promise<RunHistory> {
  const { snapshot, skipped, record } = await ckpts.load(runId);
  const s = snapshot.state;
  return {
    runId,
    config: snapshot.config,
    history: s.history,
    evals: s.evals,
    samples: s.completions,
    step: s.step,
    totalSteps: record?.totalSteps ?? s.step,
    finished: !!record?.finished && record.lastStep === s.step,
    live: false,
    skipped: skipped.map((k) => ({ step: k.info.step, error: k.error })),
  };
}

/** What a finished step sends: its metrics (with the reward layer's counters and the GPU peak), samples, alerts. */
export function stepEvents(r: StepResult, t: Trainer, counters?: Record<string, number>): TrainerEvent[] {
  Object.assign(r.metrics.values, counters);
  const peak = gpuPeakBytes();
  if (peak !== null) r.metrics.values.gpu_peak_bytes = peak;
  const alerts = diagnose(t.history);
  const events: TrainerEvent[] = [{ kind: 'metrics', metrics: r.metrics }];
  if (r.samples.length) events.push({ kind: 'samples', step: r.metrics.step, entries: r.samples });
  if (alerts.length) events.push({ kind: 'alert', alerts });
  return events;
}

/** The status message of a run stopped before its end. */
export function stoppedNote(t: Trainer): string {
  return `stopped at step ${t.step} of ${t.totalSteps}; its checkpoint is kept: resume it from the Checkpoints screen`;
}

/** What the user is told when newer checkpoints were corrupt and an older one was used; null if none was. */
export function skippedNote(skipped: { info: { step: number }; error: string }[], usedStep: number): string | null {
  if (!skipped.length) return null;
  const list = skipped.map((s) => `step ${s.info.step} (${s.error})`).join('; ');
  return `resumed from the checkpoint of step ${usedStep}: the newer checkpoint${skipped.length > 1 ? 's' : ''} of ${list} could not be read and ${skipped.length > 1 ? 'were' : 'was'} skipped`;
}

/** The adapter of a checkpoint as a PEFT folder's two files, without a model or a backend. */
export function adapterOf(snap: TrainerSnapshot): PeftFiles {
  const l = snap.config.lora;
  const settings = {
    r: l.r,
    alpha: l.alpha,
    dropout: l.dropout,
    targetModules: l.target_modules,
    useRslora: l.use_rslora,
  };
  const own = new Map(snap.state.loraLayout?.modules.map((m) => [m.key, m]));
  const modules: ModuleMatrices[] = [];
  let layers = 0;
  for (const [name, A] of Object.entries(snap.tensors)) {
    const m = /^base_model\.model\.model\.layers\.(\d+)\.\w+\.(\w+)\.lora_A\.weight$/.exec(name);
    const B = snap.tensors[name.replace('lora_A', 'lora_B')];
    if (!m || !B) continue;
    const layer = Number(m[1]),
      target = m[2] as LoraTarget,
      mod = own.get(`${layer}.${target}`);
    layers = Math.max(layers, layer + 1);
    const [R, inF] = A.shape as [number, number];
    modules.push({ layer, target, A: A.data, B: B.data, inF, outF: B.shape[0], R, rank: mod?.rank, scale: mod?.scale });
  }
  return peftFiles(settings, modules, snap.state.loraLayout?.layers ?? layers, snap.config.model.id);
}

/** The run config an imported PEFT adapter is evaluated with: its LoRA shape, the rest from the setup. */
export function importedConfig(config: RunConfig, adapter: PeftFiles | null): RunConfig {
  if (!adapter) return config;
  // target_modules as PEFT resolves it (a list, "all-linear" or a regex), the largest rank of rank_pattern
  return parseRunConfig({ ...config, lora: peftLoraSection(adapter.config) });
}

/** Beside a paused run, only its model can be used: another would release it. */
export function checkSameModel(loaded: { key: string; id: string } | null, config: RunConfig, hub: HubSettings): void {
  if (loaded?.key !== modelKey(config.model, hub))
    throw new BusyError(
      `a run is paused on ${loaded?.id}, and ${config.model.id} cannot be loaded beside it: stop the run first (its checkpoint is kept), or evaluate with ${loaded?.id}`,
    );
}

/** Evaluates a trainer made for an imported adapter (beside the live run), then releases it and its data. */
export async function evaluateAside(make: () => Trainer, inputs: { dispose?(): void }): Promise<EvalResult> {
  let t: Trainer | null = null;
  try {
    t = make();
    return await t.evaluate();
  } finally {
    t?.dispose();
    inputs.dispose?.();
  }
}
