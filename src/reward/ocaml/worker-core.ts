// The checker worker's message handling, shared by the Web Worker (checker.worker.ts) and the Node worker
// thread (node-worker.ts): it compiles the runtime once, keeps one in-memory file system, and runs checks
// one at a time, posting progress as it goes (the client may terminate it at any moment).
import { checkProgram } from './check.ts';
import { OcamlFs, type OcamlAssets } from './wasi-run.ts';
import type { CheckerReply, CheckerRequest } from './protocol.ts';

export function checkerHandler(post: (m: CheckerReply) => void): (m: CheckerRequest) => void {
  let assets: OcamlAssets | null = null;
  let fs: OcamlFs | null = null;
  return (m) => {
    if (m.kind === 'init') {
      assets = {
        runtime: new WebAssembly.Module(m.init.runtime as Uint8Array<ArrayBuffer>),
        ocamlc: m.init.ocamlc,
        stdlib: new Map(m.init.stdlib),
      };
      fs = new OcamlFs(assets);
      post({ kind: 'ready' });
      return;
    }
    if (!assets || !fs) {
      post({
        kind: 'error',
        id: m.id,
        name: 'CheckerNotReady',
        message: 'the checker worker got a check before its assets',
      });
      return;
    }
    post({ kind: 'started', id: m.id });
    try {
      checkProgram(assets, fs, m.job, (event) => post({ kind: 'progress', id: m.id, event }));
      post({ kind: 'done', id: m.id });
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      post({ kind: 'error', id: m.id, name: err.name, message: err.message });
    }
  };
}
