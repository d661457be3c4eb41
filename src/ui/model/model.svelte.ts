// The chosen model as reactive state: its architecture (a preset's, or read from the model's config.json on
// the Hub or at its URL), the GPU memory the run would need, this browser's adapter limits, and whether the
// run must be refused before anything is downloaded.
//
//   const ms = new ModelState(cs); await ms.readAdapter(); ms.estimate?.total; ms.refusal
import type { FitProblem, MemoryEstimate } from '../../engine/memory.ts';
import type { ModelSpec } from '../../engine/model/spec.ts';
import {
  adapterName,
  estimateMemory,
  fitProblems,
  isSoftwareAdapter,
  paramCount,
  weightValueBytes,
} from '../../worker/shared.ts';
import type { ConfigState } from '../config/config.svelte.ts';
import { MODEL_PRESETS } from './presets.ts';
import { DEFAULT_HUB, type HubSettingsState } from './hub-settings.svelte.ts';
import { readArchitecture, type Unknown } from './architecture.ts';

export interface AdapterLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  description: string;
  software: boolean;
}

const GB = 2 ** 30;
/** Bytes in words: "1.97 GB", MB below a tenth of a GB, KB below a tenth of a MB (the demo's 0.04 GB reads
 * "43.9 MB", its largest buffer "24.0 KB", not "0.00 GB"). */
export const gb = (b: number) =>
  b < 2 ** 20 / 10
    ? `${(b / 2 ** 10).toFixed(1)} KB`
    : b < GB / 10
      ? `${(b / 2 ** 20).toFixed(1)} MB`
      : `${(b / GB).toFixed(2)} GB`;
const isSpec = (x: ModelSpec | Unknown | null | undefined): x is ModelSpec => !!x && !('why' in x);

export class ModelState {
  limits = $state<AdapterLimits | null>(null);
  /** Architectures read from config.json, by "id@revision"; presets need no lookup. */
  private fetched = $state<Record<string, ModelSpec | Unknown>>({});

  constructor(
    private readonly cs: ConfigState,
    private readonly hub: HubSettingsState | null = null,
  ) {}

  private get key(): string {
    return `${this.hub?.base ?? DEFAULT_HUB} ${this.cs.config.model.id.trim()}@${this.cs.config.model.revision}`;
  }

  readonly preset = $derived(MODEL_PRESETS.find((m) => m.id === this.cs.config.model.id.trim()));
  private readonly found = $derived(this.preset?.spec ?? this.fetched[this.key] ?? null);
  /** The architecture, null while unknown. */
  readonly spec: ModelSpec | null = $derived(isSpec(this.found) ? this.found : null);
  /** Why the architecture is unknown (null while looking it up or when known). */
  readonly unknown: Unknown | null = $derived(this.found && !isSpec(this.found) ? this.found : null);
  readonly parameters = $derived(this.spec ? paramCount(this.spec) : null);

  readonly estimate: MemoryEstimate | null = $derived.by(() => {
    if (!this.spec) return null;
    const c = this.cs.config;
    return estimateMemory(this.spec, {
      rows: c.run.prompts_per_step * c.sampling.num_generations,
      promptTokens: c.sampling.max_prompt_length,
      completionTokens: c.sampling.max_completion_length,
      microBatch: c.run.micro_batch_size,
      loraRank: c.lora.r,
      loraTargets: c.lora.target_modules.length,
      checkpointing: c.run.gradient_checkpointing,
      wholeLogits: !c.run.fused_kernels,
      weightBytes: weightValueBytes(this.spec.storedDtype, c.model.weight_dtype),
    });
  });

  /** Why this run cannot fit this adapter (and what to change), or null when it can. */
  readonly refusal: string | null = $derived.by(() => {
    const e = this.estimate,
      l = this.limits;
    if (this.unknown?.blocking) return this.unknown.why;
    if (!e || !l) return null;
    // WebGPU caps each buffer, not the total: the embedding (vocab x hidden) is the one tensor that must fit whole.
    const cap = Math.min(l.maxStorageBufferBindingSize, l.maxBufferSize);
    if (e.largestTensor > cap)
      return `The embedding needs ${gb(e.largestTensor)} in one GPU buffer and this adapter allows ${gb(cap)} per buffer: pick a smaller model.`;
    return null;
  });

  /** The run's buffers against the adapter's limits (the check the worker makes before a run starts). */
  readonly fit: FitProblem[] = $derived.by(() => {
    if (!this.spec || !this.cs.valid) return [];
    return fitProblems(this.spec, this.cs.config, this.limits).filter((p) => p.path !== 'model.id'); // that one is `refusal`
  });

  async readAdapter(): Promise<void> {
    const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
    const a = await gpu?.requestAdapter().catch(() => null);
    if (!a) return;
    this.limits = {
      maxBufferSize: a.limits.maxBufferSize,
      maxStorageBufferBindingSize: a.limits.maxStorageBufferBindingSize,
      description: adapterName(a),
      software: isSoftwareAdapter(a),
    };
  }

  /**
   * Reads config.json of a model that is not a preset, to know its architecture before downloading it: a Hub
   * id's at the commit its revision resolves to, as the load reads it (architecture.ts).
   */
  async lookUp(): Promise<void> {
    const key = this.key,
      { id, revision } = this.cs.config.model;
    if (this.preset || key in this.fetched) return;
    this.fetched[key] = await readArchitecture(id, revision, this.hub?.settings ?? {});
  }
}
