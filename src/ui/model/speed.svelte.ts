// The predicted time of the run on this browser's GPU: the worker times a decode step and a training
// micro-step at the chosen model's widths (once per adapter and model shape; it keeps the result), and
// predictRunTime turns those times and the config into seconds a step and for the whole run, again each
// time the config changes, without measuring again.
//
//   const sp = new SpeedState(cs, ms, run); await sp.look(false); sp.prediction?.stepSeconds
import type { ConfigState } from '../config/config.svelte.ts';
import type { ModelState } from './model.svelte.ts';
import type { RunState } from '../run/run.svelte.ts';
import type { SpeedReport } from '../../worker/speed.ts';
import type { TimePrediction } from '../../engine/predict.ts';
import { predictRunTime } from '../../worker/shared.ts';

export class SpeedState {
  /** The worker's probe, with the key of what it was measured for. */
  private got = $state<{ key: string; report: SpeedReport } | null>(null);
  measuring = $state(false);

  constructor(
    private readonly cs: ConfigState,
    private readonly ms: ModelState,
    private readonly run: RunState,
  ) {}

  /** What a probe depends on: the model's widths, how its weights are kept, the adapter's rank and targets. */
  readonly key = $derived.by(() => {
    const s = this.ms.spec,
      c = this.cs.config;
    if (!s) return null;
    const lora = `${c.lora.r}:${[...c.lora.target_modules].sort().join(',')}`;
    return `${s.arch} ${s.hidden} ${s.intermediate} ${s.heads} ${s.kvHeads} ${s.vocabSize} ${c.model.weight_dtype} ${lora} ${c.run.fused_kernels}`;
  });

  readonly report = $derived(this.got && this.got.key === this.key ? this.got.report : null);

  readonly prediction: TimePrediction | null = $derived.by(() => {
    if (!this.report || !this.ms.spec || !this.cs.valid) return null;
    return predictRunTime(this.report.probe, this.ms.spec.layers, this.cs.config);
  });

  /** Asks the worker for the probe: its cached one only (`measure` false), or measured now if none is kept. */
  async look(measure: boolean): Promise<void> {
    const key = this.key,
      spec = this.ms.spec;
    if (!key || !spec || !this.cs.valid || !this.run.can('probeSpeed') || (!measure && this.got?.key === key)) return;
    this.measuring = measure;
    try {
      const report = await this.run.probeSpeed(this.cs.config, spec, !measure);
      if (report && key === this.key) this.got = { key, report };
    } finally {
      this.measuring = false;
    }
  }
}
