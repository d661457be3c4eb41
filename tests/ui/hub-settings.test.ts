import { describe, it, expect } from 'vitest';
import { HubSettingsState } from '../../src/ui/model/hub-settings.svelte.ts';
import { hubFromEnv } from '../../src/cli/headless.ts';

function storage() {
  const m = new Map<string, string>();
  return { m, getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

describe('Hub settings', () => {
  it('keep the endpoint on this device, and the token only when asked to', () => {
    const s = storage();
    const a = new HubSettingsState(s);
    expect(a.settings).toEqual({ endpoint: 'https://huggingface.co' });
    a.endpoint = 'http://127.0.0.1:4212/';
    a.token = 'hf_x';
    a.save();
    expect(s.m.get('webgrpo-hub-settings')).not.toMatch(/hf_x/);
    expect(new HubSettingsState(s).settings).toEqual({ endpoint: 'http://127.0.0.1:4212' });
    a.remember = true;
    a.save();
    const b = new HubSettingsState(s);
    expect(b.settings).toEqual({ endpoint: 'http://127.0.0.1:4212', token: 'hf_x' });
    expect(b.remember).toBe(true);
    b.endpoint = 'ftp://x';
    expect(b.problem).toMatch(/http/);
  });
  it('the command line reads HF_ENDPOINT and HF_TOKEN', () => {
    expect(hubFromEnv({ HF_ENDPOINT: 'http://h:1', HF_TOKEN: 't' })).toEqual({ endpoint: 'http://h:1', token: 't' });
    expect(hubFromEnv({})).toEqual({});
  });
});
