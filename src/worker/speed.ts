// The speed probe behind the worker's `probeSpeed` command: a few seconds of the real kernels at the chosen
// model's widths (engine/bench/probe.ts), measured once per adapter and model shape and kept (IndexedDB in
// the browser), so the Model tab and `webgrpo train` predict a run's time (engine/predict.ts) without
// measuring again. The layer count is not part of the key: the probe's times are per layer.
import type { RunConfig } from '../engine/config.ts';
import type { BackendInfo } from '../engine/backend.ts';
import type { ModelSpec } from '../engine/model/spec.ts';
import type { SpeedProbe } from '../engine/predict.ts';
import { probeSpeed } from '../engine/bench/probe.ts';
import { weightValueBytes } from '../engine/memory.ts';
import { resetGpuPeak } from '../engine/gpu-memory.ts';
import type { HubSettings, SpeedReport } from './protocol.ts';
import type { SessionEnv, SpeedCache } from './session-env.ts';

export type { SpeedCache, SpeedReport };

/** The layout of SpeedProbe: 2 has each pass's fixed cost apart from its cost per token. */
const PROBE_FORMAT = 'p2';

/** The adapter, the model's widths and what of the config changes the kernels' cost per layer. */
export function speedKey(info: BackendInfo, spec: ModelSpec, c: RunConfig): string {
  const shape = [
    spec.arch,
    spec.hidden,
    spec.intermediate,
    spec.heads,
    spec.kvHeads,
    spec.headDim,
    spec.vocabSize,
    spec.attnBias ? 'bias' : '',
  ].join('x');
  const bytes = weightValueBytes(spec.storedDtype, c.model.weight_dtype);
  const lora = `r${c.lora.r}:${[...c.lora.target_modules].sort().join(',')}`;
  // PROBE_FORMAT: a probe kept by an older version, of another layout, is measured again rather than misread
  return `${PROBE_FORMAT}|${info.backend}|${info.device}|${shape}|w${bytes}|${lora}|${c.run.fused_kernels ? 'fused' : 'reference'}`;
}

/** The cached probe for this adapter and model, else a new one (kept for next time). */
export async function speedReport(
  info: BackendInfo,
  spec: ModelSpec,
  c: RunConfig,
  cache: SpeedCache | undefined,
  cachedOnly = false,
): Promise<SpeedReport | null> {
  const key = speedKey(info, spec, c);
  const hit = await cache?.get(key).catch(() => undefined);
  if (hit?.key === key) return { probe: hit, cached: true, layers: spec.layers };
  if (cachedOnly) return null;
  const probe = await probeSpeed(
    spec,
    {
      weightDtype: c.model.weight_dtype,
      loraRank: c.lora.r,
      targets: c.lora.target_modules,
      fusedKernels: c.run.fused_kernels,
    },
    key,
  );
  await cache?.set(key, probe).catch(() => undefined); // a browser without storage measures again next time
  return { probe, cached: false, layers: spec.layers };
}

/** One probe at a time, for the session: a model load waits for the probe in progress (`idle`). */
export class SpeedProber {
  private running: Promise<unknown> | null = null;

  constructor(private readonly env: SessionEnv) {}

  idle(): Promise<unknown> {
    return this.running?.catch(() => undefined) ?? Promise.resolve();
  }

  /** `spec`: the architecture when known (else read from the model's config.json); `noModel`: none is loaded. */
  run(
    c: RunConfig,
    spec: ModelSpec | null,
    at: { init: () => Promise<BackendInfo>; hub: HubSettings; noModel: boolean; cachedOnly: boolean },
  ): Promise<SpeedReport | null> {
    const probe = async () => {
      const info = await at.init();
      const s = spec ?? (await this.env.modelSpec?.(c.model, at.hub));
      if (!s) throw new Error(`the architecture of ${c.model.id} is not known here: load the model first`);
      const report = await speedReport(info, s, c, this.env.speedCache, at.cachedOnly);
      if (at.noModel && report && !report.cached) resetGpuPeak(); // the probe's buffers are not a run's
      return report;
    };
    const p = this.idle().then(probe);
    this.running = p;
    return p.finally(() => {
      if (this.running === p) this.running = null;
    });
  }
}
