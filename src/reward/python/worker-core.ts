// The Python checker worker's message handling, shared by the Web Worker (checker.worker.ts) and the Node
// worker thread (node-worker.ts): it loads Pyodide once from the app's own files (indexURL), caps the growth
// of WebAssembly memory, empties the worker's scope of what could reach the network or the page, and then
// runs checks one at a time, posting each run's output as it goes (the client may terminate it at any time).
import { loadPyodide, type PyodideAPI } from 'pyodide';
import { HARNESS } from './harness.py.ts';
import { lockDownScope, prunePyodide } from './lockdown.ts';
import type { PythonReply, PythonRequest, PythonRun } from './protocol.ts';

type Runner = ((code: string, stdin: string) => string) & { flush(): void; destroy(): void };
type Streams = Pick<PyodideAPI, 'setStdout' | 'setStderr'>;

const PAGE = 64 * 1024;
let memoryCap = Infinity;

/** Memory growth past the cap fails: Emscripten's malloc then returns NULL and Python raises MemoryError. */
function capMemoryGrowth(): void {
  const grow = WebAssembly.Memory.prototype.grow;
  WebAssembly.Memory.prototype.grow = function (this: WebAssembly.Memory, delta: number) {
    if (this.buffer.byteLength + delta * PAGE > memoryCap) throw new RangeError('memory cap of the check reached');
    return grow.call(this, delta);
  };
}

export function pythonHandler(post: (m: PythonReply) => void): (m: PythonRequest) => Promise<void> {
  let runner: Runner | null = null;
  let py: Streams | null = null;
  let out: Uint8Array[] = [];
  let size = 0;
  let limit = 0;
  let truncated = false;
  const write = (buf: Uint8Array): number => {
    if (size + buf.length > limit) {
      truncated = true;
      throw new Error('output limit reached');
    }
    size += buf.length;
    out.push(buf.slice());
    return buf.length;
  };
  return async (m) => {
    if (m.kind === 'init') {
      capMemoryGrowth();
      const api = await loadPyodide({ indexURL: m.init.indexURL, stdout: () => undefined, stderr: () => undefined });
      api.unregisterJsModule('js');
      api.unregisterJsModule('pyodide_js');
      runner = api.runPython(HARNESS) as Runner;
      py = { setStdout: api.setStdout.bind(api), setStderr: api.setStderr.bind(api) };
      lockDown(api);
      post({ kind: 'ready' });
      return;
    }
    if (!runner || !py) {
      post({
        kind: 'error',
        id: m.id,
        name: 'CheckerNotReady',
        message: 'the Python checker got a check before Pyodide',
      });
      return;
    }
    post({ kind: 'started', id: m.id });
    memoryCap = m.job.memoryMb * 1024 * 1024;
    limit = m.job.outputLimit;
    const decode = (chunks: Uint8Array[]) => new TextDecoder().decode(concat(chunks));
    try {
      for (let i = 0; i < m.job.stdins.length; i++) {
        const streams: Record<'stdout' | 'stderr', Uint8Array[]> = { stdout: [], stderr: [] };
        size = 0;
        truncated = false;
        py.setStdout({ write: (b: Uint8Array) => b.length });
        py.setStderr({ write: (b: Uint8Array) => b.length });
        runner.flush();
        py.setStdout({ write: (b: Uint8Array) => ((out = streams.stdout), write(b)) });
        py.setStderr({ write: (b: Uint8Array) => ((out = streams.stderr), write(b)) });
        const outcome = runner(m.job.code, m.job.stdins[i]) as PythonRun['outcome'];
        const run: PythonRun = { outcome, stdout: decode(streams.stdout), stderr: decode(streams.stderr), truncated };
        post({ kind: 'progress', id: m.id, event: { index: i, run } });
      }
      post({ kind: 'done', id: m.id });
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      post({ kind: 'error', id: m.id, name: err.name, message: err.message });
    }
  };
}

/** See lockdown.ts: after this, the worker's scope has no way out and nothing a program could patch. */
function lockDown(api: PyodideAPI): void {
  const internals = api as unknown as { _api: object; _module: object; FS: object };
  const keep = [api, internals._api, internals._module, internals.FS];
  prunePyodide(api);
  lockDownScope(keep);
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}
