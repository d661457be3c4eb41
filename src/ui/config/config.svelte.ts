// The run configuration being edited: the form, presets and links all change this one object, and its
// validation (the schema's own, with its explanations) is derived from it.
import { RunConfigSchema, defaultRunConfig, type RunConfig } from '../../engine/config.ts';
import { presetConfig } from '../../engine/presets.ts';
import { decodeLink, encodeLink, customCode } from '../../engine/link.ts';

export class ConfigState {
  config = $state<RunConfig>(presetConfig('demo'));
  preset = $state('demo');
  linkError = $state<string | null>(null);
  /** Custom reward code from a link, waiting for the user's confirmation before it is applied. */
  pendingLink = $state<{ config: RunConfig; codes: string[] } | null>(null);

  readonly problems: Record<string, string> = $derived.by(() => {
    const r = RunConfigSchema.safeParse($state.snapshot(this.config));
    if (r.success) return {};
    return Object.fromEntries(r.error.issues.map((i) => [i.path.join('.'), i.message]));
  });
  readonly valid = $derived(Object.keys(this.problems).length === 0);

  applyPreset(name: string): void {
    this.config = presetConfig(name);
    this.preset = name;
  }

  reset(): void {
    this.config = defaultRunConfig();
  }

  async link(): Promise<string> {
    return encodeLink($state.snapshot(this.config) as RunConfig, location.href);
  }

  /** Reads a link's config; a malformed one keeps the current form and says why. */
  async openLink(href: string): Promise<void> {
    if (!href.includes('run=')) return;
    try {
      const cfg = await decodeLink(href);
      const codes = customCode(cfg);
      if (codes.length) this.pendingLink = { config: cfg, codes };
      else { this.config = cfg; this.preset = ''; }
      this.linkError = null;
    } catch (e) {
      this.linkError = `${(e as Error).message} The form keeps its current settings.`;
    }
  }

  acceptPending(): void {
    if (this.pendingLink) { this.config = this.pendingLink.config; this.preset = ''; }
    this.pendingLink = null;
  }
}
