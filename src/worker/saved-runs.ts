// A run as the session hands it out, from memory (the live run) or from its newest intact checkpoint (any
// saved run): its whole history, its adapter as PEFT files, and the notes about checkpoints passed over.
// So a finished run can be reopened, charted and exported after a reload without being resumed.
import { parseRunConfig, type RunConfig } from '../engine/config.ts';
import { LoraAdapter, peftAdapterConfig } from '../engine/lora.ts';
import { writeSafetensors } from '../engine/model/safetensors.ts';
import { peftLoraSection } from '../engine/lora-peft.ts';
import * as tf from '../engine/tf.ts';
import type { EvalResult } from '../engine/evaluate.ts';
import type { CheckpointManager } from '../engine/checkpoint.ts';
import type { Trainer, TrainerSnapshot } from '../engine/trainer.ts';
import type { HubSettings, PeftFiles, RunHistory, RunState } from './protocol.ts';

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

export function liveHistory(runId: string, t: Trainer, state: RunState): RunHistory {
  return {
    runId,
    config: t.config,
    history: [...t.history],
    evals: [...t.evals],
    samples: [...t.completions],
    step: t.step,
    totalSteps: t.totalSteps,
    finished: state === 'done' && t.step >= t.totalSteps,
    live: true,
    skipped: [],
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
  const tensors = Object.fromEntries(
    Object.entries(snap.tensors).filter(
      ([name]) => /\.lora_[AB]\.weight$/.test(name) && name.startsWith('base_model.'),
    ),
  );
  const settings = {
    r: l.r,
    alpha: l.alpha,
    dropout: l.dropout,
    targetModules: l.target_modules,
    useRslora: l.use_rslora,
  };
  return { config: peftAdapterConfig(settings, snap.config.model.id), weights: writeSafetensors(tensors) };
}

/** The run config an imported PEFT adapter is evaluated with: its LoRA shape, the rest from the setup. */
export function importedConfig(config: RunConfig, adapter: PeftFiles | null): RunConfig {
  if (!adapter) return config;
  // target_modules as PEFT resolves it (a list, "all-linear" or a regex), the largest rank of rank_pattern
  return parseRunConfig({ ...config, lora: peftLoraSection(adapter.config) });
}

/** Evaluates a trainer made for an imported adapter (beside the live run), then releases it and its data. */
export async function evaluateAside(
  t: Trainer,
  adapter: PeftFiles | null,
  inputs: { dispose?(): void },
): Promise<EvalResult> {
  try {
    if (adapter) {
      const src = LoraAdapter.fromPeft(t.deps.model.spec, adapter.config, adapter.weights);
      for (const [key, dst] of t.lora.pairs) {
        const pair = src.pairs.get(key);
        // a module the adapter does not cover (a regex over some layers) gets no update: B = 0
        if (!pair) dst.B.assign(tf.zerosLike(dst.B));
        else {
          dst.A.assign(pair.A);
          dst.B.assign(pair.B);
          dst.rank = pair.rank; // rank_pattern / alpha_pattern: each module's own scale
          dst.scale = pair.scale;
        }
      }
      src.dispose();
    }
    return await t.evaluate();
  } finally {
    t.dispose();
    inputs.dispose?.();
  }
}
