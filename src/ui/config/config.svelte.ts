// The run configuration being edited: the form, presets and links all change this one object, and its
// validation (the schema's own, with its explanations) is derived from it.
//
//   const cs = new ConfigState(); cs.applyPreset('1h'); await cs.openLink(location.href)
import type { RunConfig } from '../../engine/config.ts';
import type { DataProblem } from '../data/dataset.svelte.ts';
import { RunConfigSchema, presetConfig, decodeLink, encodeLink, customCode } from '../../worker/shared.ts';

/** The outcome of the last link opened, so the page (and its tests) can tell which link a message is about. */
export interface LinkStatus {
  token: string;
  ok: boolean;
  message: string;
}

export class ConfigState {
  config = $state<RunConfig>(presetConfig('demo'));
  preset = $state('demo');
  linkError = $state<string | null>(null);
  linkStatus = $state<LinkStatus | null>(null);
  /** Custom reward code from a link, waiting for the user's confirmation before it is applied. */
  pendingLink = $state<{ config: RunConfig; codes: string[] } | null>(null);
  /** The Config tab's Advanced sections the user opened, kept while other tabs are shown. */
  openSections = $state<Record<string, boolean>>({});
  /** Rows of the dataset that lack the mapped columns (set by the Data screen); blocks Train while it applies. */
  dataProblem = $state<DataProblem | null>(null);
  /** The data problem, while the config still names that dataset and those columns. */
  readonly dataBlock: string | null = $derived.by(() => {
    const p = this.dataProblem,
      d = this.config.data;
    // a run on environments reads the dataset only for SFT (sft_then_grpo)
    if (this.config.environment.envs.length && this.config.run.mode !== 'sft_then_grpo') return null;
    return p && p.dataset === d.dataset && p.prompt_field === d.prompt_field && p.answer_field === d.answer_field
      ? p.message
      : null;
  });

  /** Problems by field path ("grpo.epsilon_high"), from the schema's checks including its cross-field ones. */
  readonly problems: Record<string, string> = $derived.by(() => {
    const r = RunConfigSchema.safeParse($state.snapshot(this.config));
    if (r.success) return {};
    return Object.fromEntries(r.error.issues.map((i) => [i.path.join('.') || '(root)', i.message]));
  });
  readonly valid = $derived(Object.keys(this.problems).length === 0);
  /** The preset the form still equals; '' once a field is edited away from it (the menu then says custom). */
  readonly presetShown = $derived.by(() => {
    if (!this.preset) return '';
    return JSON.stringify($state.snapshot(this.config)) === JSON.stringify(presetConfig(this.preset))
      ? this.preset
      : '';
  });

  applyPreset(name: string): void {
    this.config = presetConfig(name);
    this.preset = name;
  }

  async link(): Promise<string> {
    return encodeLink($state.snapshot(this.config) as RunConfig, location.href);
  }

  /** Reads a link's config; a malformed one keeps the current form and says why (never throws). */
  async openLink(href: string): Promise<void> {
    const at = href.indexOf('run=');
    if (at < 0) return;
    const token = href.slice(at + 4);
    try {
      const cfg = await decodeLink(href);
      const codes = customCode(cfg);
      if (codes.length) this.pendingLink = { config: cfg, codes };
      else {
        this.config = cfg;
        this.preset = '';
      }
      this.linkError = null;
      this.linkStatus = {
        token,
        ok: true,
        message: codes.length
          ? 'The link carries reward code: read it below before using the link.'
          : 'Opened the setup from the link.',
      };
    } catch (e) {
      // Anything thrown while decoding is the link's fault, not the app's: it is explained, never fatal.
      const why = e instanceof Error ? e.message : String(e);
      this.linkError = `This link could not be opened: ${why}. The form keeps its current settings.`;
      this.linkStatus = { token, ok: false, message: this.linkError };
    }
  }

  acceptPending(): void {
    if (this.pendingLink) {
      this.config = this.pendingLink.config;
      this.preset = '';
    }
    this.pendingLink = null;
  }
}
