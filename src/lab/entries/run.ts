// Headless runs (`webgrpo train`, `webgrpo eval`): the CLI calls these in the lab page; they drive the
// app's own training worker through the same client the UI uses, and forward every event to the CLI
// through the `webgrpoEvent` function that Playwright exposes.
import { TrainerClient } from '../../worker/client.ts';
import type { CommandName, PeftFiles, RunStatus, TrainerEvent } from '../../worker/protocol.ts';

let client: TrainerClient | null = null;

function trainer(): TrainerClient {
  if (!client) {
    client = TrainerClient.spawn();
    const forward = (globalThis as unknown as { webgrpoEvent?: (e: TrainerEvent) => void }).webgrpoEvent;
    client.on((e) => forward?.(e));
  }
  return client;
}

/** Starts a run (from a PEFT adapter, when given) or resumes the saved run `resumeRunId`, on WebGPU. */
export async function headlessStart(
  config: unknown,
  resumeRunId: string | null,
  adapter: unknown = null,
): Promise<RunStatus> {
  const t = trainer();
  await t.init('webgpu');
  return resumeRunId ? t.resumeRun(resumeRunId) : t.start(config, fromWire(adapter) as PeftFiles | null);
}

const toBase64 = (b: Uint8Array) => {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
};

const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** PEFT files sent from Node carry their weights as '__b64__' + base64. */
function fromWire(a: unknown): unknown {
  const w = (a as { weights?: unknown } | null)?.weights;
  return typeof w === 'string' && w.startsWith('__b64__') ? { ...(a as object), weights: fromBase64(w.slice(7)) } : a;
}

/** Any trainer method; byte arrays in the result come back as base64 (they cross into Node as JSON). */
export async function headlessCall(method: CommandName, args: unknown[]): Promise<unknown> {
  await trainer().init('webgpu');
  args = args.map(fromWire);
  const r = await (trainer() as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method](...args);
  if (r && typeof r === 'object' && (r as { weights?: unknown }).weights instanceof Uint8Array) {
    return { ...(r as object), weights: toBase64((r as { weights: Uint8Array }).weights) };
  }
  return r;
}
