// Custom rewards: the body of a JavaScript function `(sample, options) => number | null | {score, details}`
// written by the user, run in a sandboxed worker of its own.
//
//   options.code = 'return sample.completion.includes("because") ? 1 : 0;'
//
// Limits of the sandbox (documented, because it is a convenience, not a security boundary):
// - the worker is created from a blob URL; before the user's code runs, the network and loading APIs are
//   made to throw (fetch, XMLHttpRequest, WebSocket, EventSource, WebTransport, importScripts, Worker,
//   indexedDB, caches, ...), on the global object and every prototype it inherits them from;
// - `import` is refused before compiling (dynamic import cannot be removed from a worker), and after
//   compiling, eval and every Function constructor are removed, so code cannot assemble new code at run time;
// - a call that does not answer within the time limit terminates the worker (a new one starts next call);
// - the code sees only the sample and its options, never the page, the model or other rewards.
// A shared link that carries custom code shows it and asks before running it (see engine/link.ts).
import type { RewardFn, RewardResult, RewardSample } from './types.ts';

export class CustomRewardError extends Error {
  readonly name = 'CustomRewardError';
}

/** Refuses code the sandbox cannot contain; returns the code unchanged otherwise. */
export function checkCustomCode(code: unknown): string {
  if (typeof code !== 'string' || code.trim() === '')
    throw new CustomRewardError(
      'custom reward needs option "code": the body of a function of (sample, options) that returns a number',
    );
  if (/\bimport\b/.test(code))
    throw new CustomRewardError(
      'custom reward code may not use import: the sandbox has no network and loads no modules',
    );
  return code;
}

const BLOCKED = [
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'EventSource',
  'WebTransport',
  'importScripts',
  'Worker',
  'SharedWorker',
  'BroadcastChannel',
  'indexedDB',
  'caches',
  'Request',
  'navigator',
  'RTCPeerConnection',
  'FileReaderSync',
  'WebSocketStream',
  'fetchLater',
];

// A classic worker script, kept as text (not a stringified function) so that no bundler helper leaks in.
function sandboxSource(code: string): string {
  return `'use strict';
const BLOCKED = ${JSON.stringify(BLOCKED)};
const deny = (name) => ({ get() { throw new Error(name + ' is not available in a custom reward: the sandbox has no network'); }, configurable: false });
const block = (obj, name) => { try { Object.defineProperty(obj, name, deny(name)); } catch (e) {} };
for (let o = self; o; o = Object.getPrototypeOf(o)) for (const n of BLOCKED) if (Object.prototype.hasOwnProperty.call(o, n)) block(o, n);
for (const n of BLOCKED) block(self, n);
let fn = null, compileError = null;
try { fn = Function('sample', 'options', ${JSON.stringify(`'use strict';\n${code}`)}); } catch (e) { compileError = String(e && e.message || e); }
const protos = [function () {}, async function () {}, function* () {}, async function* () {}].map(Object.getPrototypeOf);
for (const p of protos) block(p, 'constructor');
block(self, 'eval'); block(self, 'Function');
for (const t of ['setTimeout', 'setInterval']) { const orig = self[t]; self[t] = (f, ms) => { if (typeof f !== 'function') throw new Error(t + ' takes a function here'); return orig(f, ms); }; }
self.onmessage = async (e) => {
  const m = e.data;
  if (compileError !== null) { postMessage({ kind: 'failed', id: m.id, error: 'custom reward code does not compile: ' + compileError }); return; }
  try {
    const result = await fn(m.sample, m.options);
    postMessage({ kind: 'scored', id: m.id, result: result === undefined ? null : result });
  } catch (err) {
    postMessage({ kind: 'failed', id: m.id, error: String(err && err.message || err) });
  }
};`;
}

type SandboxReply =
  { kind: 'scored'; id: number; result: RewardResult | number | null } | { kind: 'failed'; id: number; error: string };

/** One sandbox worker for one piece of code; restarted after a time-out. */
export class CustomSandbox {
  private worker: Worker | null = null;
  private url: string | null = null;
  private nextId = 0;

  constructor(
    private readonly code: string,
    private readonly timeoutMs = 10_000,
  ) {
    checkCustomCode(code);
    if (typeof Worker === 'undefined' || typeof Blob === 'undefined')
      throw new CustomRewardError('custom rewards run only in a browser (they need a sandboxed Web Worker)');
  }

  private start(): Worker {
    if (!this.worker) {
      this.url = URL.createObjectURL(new Blob([sandboxSource(this.code)], { type: 'text/javascript' }));
      this.worker = new Worker(this.url);
    }
    return this.worker;
  }

  score(sample: RewardSample, options: Record<string, unknown>): Promise<RewardResult | number | null> {
    const w = this.start(),
      id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.dispose();
        reject(
          new CustomRewardError(`custom reward did not answer within ${this.timeoutMs} ms; the sandbox was restarted`),
        );
      }, this.timeoutMs);
      const onMessage = (e: MessageEvent<SandboxReply>) => {
        if (e.data.id !== id) return;
        clearTimeout(timer);
        w.removeEventListener('message', onMessage);
        if (e.data.kind === 'scored') resolve(e.data.result);
        else reject(new CustomRewardError(e.data.error));
      };
      w.addEventListener('message', onMessage);
      // the options object carries the code itself; the sandbox does not need it
      const { code: _code, ...rest } = options;
      w.postMessage({ id, sample, options: rest });
    });
  }

  dispose(): void {
    this.worker?.terminate();
    if (this.url) URL.revokeObjectURL(this.url);
    this.worker = null;
    this.url = null;
  }
}

const SANDBOXES = new Map<string, CustomSandbox>();

export const customReward: RewardFn = (sample, options) => {
  const code = checkCustomCode(options.code);
  let box = SANDBOXES.get(code);
  if (!box) {
    box = new CustomSandbox(code, typeof options.timeout_ms === 'number' ? options.timeout_ms : 10_000);
    SANDBOXES.set(code, box);
  }
  return box.score(sample, options);
};
