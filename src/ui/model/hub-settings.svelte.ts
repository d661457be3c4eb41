// Where Hub models come from, as the app's settings: the endpoint (a mirror or a local Hub; the command
// line's HF_ENDPOINT) and an access token for gated or private models (HF_TOKEN). The endpoint is kept in
// this browser; the token only in memory for this tab, unless "remember on this device" is ticked.
//
//   const hub = new HubSettingsState(); hub.endpoint = 'http://127.0.0.1:4212'; hub.save(); hub.settings
import type { HubSettings } from '../../worker/protocol.ts';

export const DEFAULT_HUB = 'https://huggingface.co';
const KEY = 'webgrpo-hub-settings';

interface Stored {
  endpoint?: string;
  token?: string;
}

export class HubSettingsState {
  endpoint = $state(DEFAULT_HUB);
  token = $state('');
  remember = $state(false);

  constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem'> | null = globalThis.localStorage ?? null) {
    try {
      const s = JSON.parse(this.storage?.getItem(KEY) ?? '{}') as Stored;
      if (typeof s.endpoint === 'string' && s.endpoint) this.endpoint = s.endpoint;
      if (typeof s.token === 'string' && s.token) {
        this.token = s.token;
        this.remember = true;
      }
    } catch {
      // an unreadable entry is the same as none
    }
  }

  /** The endpoint without a trailing slash. */
  readonly base = $derived(this.endpoint.trim().replace(/\/+$/, '') || DEFAULT_HUB);

  /** What the worker and the architecture lookup use. */
  get settings(): HubSettings {
    return { endpoint: this.base, ...(this.token.trim() ? { token: this.token.trim() } : {}) };
  }

  /** Stores the endpoint, and the token only when it is to be remembered. */
  save(): void {
    const s: Stored = {
      endpoint: this.base,
      ...(this.remember && this.token.trim() ? { token: this.token.trim() } : {}),
    };
    try {
      this.storage?.setItem(KEY, JSON.stringify(s));
    } catch {
      // storage full or blocked: the settings still hold for this tab
    }
  }

  /** A problem with the endpoint, or null. */
  readonly problem = $derived.by(() => {
    try {
      const u = new URL(this.base);
      return /^https?:$/.test(u.protocol) ? null : `The Hub endpoint must be an http(s) address, not ${u.protocol}`;
    } catch {
      return `"${this.endpoint}" is not an address: give one such as ${DEFAULT_HUB}`;
    }
  });
}
