// The reward worker: runs registered rewards off the training thread, so that a slow or stuck reward can
// be cut off (the client terminates this worker after the time limit) without stopping the run.
// the custom-reward interpreter's WebAssembly, bundled by Vite and served by the app itself (no CDN)
import sandboxWasmUrl from '@jitl/quickjs-wasmfile-release-sync/wasm?url';
import { setSandboxWasmLocation } from './sandbox.ts';
import './builtins.ts';
import { callReward } from './registry.ts';
import type { RewardReply, RewardRequest } from './protocol.ts';

setSandboxWasmLocation(sandboxWasmUrl);

const post = (m: RewardReply) => (self as unknown as { postMessage(m: RewardReply): void }).postMessage(m);

self.onmessage = async (e: MessageEvent<RewardRequest>) => {
  const { id, name, sample, options } = e.data;
  try {
    post({ kind: 'scored', id, result: await callReward(name, sample, options) });
  } catch (err) {
    const x = err as Error;
    post({ kind: 'failed', id, error: { name: x?.name ?? 'Error', message: x?.message ?? String(err) } });
  }
};
