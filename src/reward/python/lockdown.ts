// The JavaScript side of the Python checker's sandbox, applied in its worker once Pyodide has loaded and the
// harness is set up. Python cannot sandbox Python: a program that walks the object graph (frames,
// object.__subclasses__(), function globals) can reach the JavaScript objects Pyodide keeps (its API, the
// Emscripten module, the worker's global object). So the worker itself is made worthless to such a program:
// - no code from strings: the Function, AsyncFunction, GeneratorFunction and AsyncGeneratorFunction
//   constructors (reachable through any function's prototype) and eval refuse, and timers take functions
//   only, so there is no way to write new JavaScript, `import()` included;
// - no way out: the network, storage, fonts, canvases, workers, channels to the page and Node's process
//   are deleted from the worker's scope, and Pyodide's loaders, file system mounts (NODEFS: the host's files
//   in Node) and socket bridges are taken off the objects a program could reach;
// - nothing to patch: the built-ins and host objects are frozen (as SES's lockdown does; hand-written here
//   because SES must run before any other code and does not cover host objects), so a program cannot
//   change how the worker captures output or posts results, or what the next program sees.
// The worker's results go out through a function bound before this ran (see checker.worker.ts).
import type { PyodideAPI } from 'pyodide';

type Bag = Record<PropertyKey, unknown>;

/** Names whose objects reach outside the worker (network, storage, the page, the host) or draw on the GPU. */
export const SCRUBBED = [
  // network
  'fetch',
  'fetchLater',
  'XMLHttpRequest',
  'WebSocket',
  'WebSocketStream',
  'WebTransport',
  'EventSource',
  'FontFace',
  'fonts',
  'FontFaceSet',
  'importScripts',
  'navigator',
  // storage
  'indexedDB',
  'caches',
  'cookieStore',
  'storageBuckets',
  'webkitRequestFileSystem',
  'webkitRequestFileSystemSync',
  'webkitResolveLocalFileSystemURL',
  'webkitResolveLocalFileSystemSyncURL',
  'requestFileSystem',
  'requestFileSystemSync',
  // the page and other threads
  'postMessage',
  'close',
  // the worker's handler is set before this runs; no program may replace it or listen before it
  'onmessage',
  'onmessageerror',
  'addEventListener',
  'removeEventListener',
  'dispatchEvent',
  'open',
  'BroadcastChannel',
  'Worker',
  'SharedWorker',
  'MessageChannel',
  'RTCPeerConnection',
  'Notification',
  // GPU and canvases
  'OffscreenCanvas',
  'WebGLRenderingContext',
  'WebGL2RenderingContext',
  'createImageBitmap',
  // Node
  'process',
  'require',
  'module',
  'Deno',
  'Bun',
];

export class CodeGenerationRefused extends EvalError {
  readonly name = 'CodeGenerationRefused';
}

function refuse(): never {
  throw new CodeGenerationRefused('the Python checker runs no JavaScript made from strings');
}

const pinned = (value: unknown): PropertyDescriptor => ({ value, writable: false, configurable: false });

/** The four function constructors and eval refuse; setTimeout/setInterval take functions only. */
export function refuseCodeGeneration(g: Bag = globalThis as unknown as Bag): void {
  const kinds = [function () {}, async function () {}, function* () {}, async function* () {}];
  for (const f of kinds) Object.defineProperty(Object.getPrototypeOf(f), 'constructor', pinned(refuse));
  Object.defineProperty(g, 'Function', pinned(refuse));
  Object.defineProperty(g, 'eval', pinned(refuse));
  const apply = Reflect.apply;
  for (const name of ['setTimeout', 'setInterval']) {
    const timer = g[name];
    if (typeof timer !== 'function') continue;
    const onlyFunctions = function (this: unknown, handler: unknown, ...rest: unknown[]) {
      if (typeof handler !== 'function') refuse();
      return apply(timer, g, [handler, ...rest]);
    };
    Object.defineProperty(g, name, pinned(onlyFunctions));
  }
}

/** Deletes the names above wherever they are on the scope's prototype chain (or empties them). */
export function scrubScope(g: Bag = globalThis as unknown as Bag, names: readonly string[] = SCRUBBED): void {
  for (const name of names) {
    for (let o: Bag | null = g; o; o = Object.getPrototypeOf(o) as Bag | null) {
      const d = Object.getOwnPropertyDescriptor(o, name);
      if (!d) continue;
      if (d.configurable) delete o[name];
      else if (d.writable) o[name] = undefined;
    }
  }
}

/** Takes loaders, file system types, sockets and the global object off what Pyodide lets Python reach. */
export function prunePyodide(py: PyodideAPI): void {
  const api = (py as unknown as { _api: Bag })._api;
  const module = (py as unknown as { _module: Bag })._module;
  const fs = py.FS as unknown as Bag & { filesystems: Bag };
  for (const name of ['NODEFS', 'NODERAWFS', 'IDBFS', 'WORKERFS', 'PROXYFS', 'NATIVEFS_ASYNC']) {
    delete fs.filesystems[name];
    delete module[name];
  }
  for (const name of ['mount', 'unmount', 'mountNodeFS', 'mountNativeFS']) if (name in fs) fs[name] = refuse;
  for (const name of ['_nodeSock', 'initializeNodeSockFS', 'loadBinaryFile', 'loadDynlib', 'install']) delete api[name];
  for (const name of ['packageManager', 'lockFilePromise', 'packageIndexReady']) delete api[name];
  const config = api.config as Bag | undefined;
  if (config) config.jsglobals = Object.freeze({});
  for (const name of Object.keys(py)) delete (py as unknown as Bag)[name];
}

/** The whole lock-down of the current realm: no code from strings, no way out, nothing to patch. */
export function lockDownScope(keep: readonly object[] = []): void {
  refuseCodeGeneration();
  scrubScope();
  freezeScope(globalThis, keep);
}

/** Freezes everything reachable from the scope's own properties (values, accessors, prototypes), skipping
 *  the objects in `keep` (Pyodide's module and API change as it runs). */
export function freezeScope(g: object = globalThis, keep: readonly object[] = []): void {
  const skip = new Set<unknown>(keep);
  const seen = new Set<unknown>();
  const kinds = [function () {}, async function () {}, function* () {}, async function* () {}];
  const stack: unknown[] = [g, ...kinds.map((f) => Object.getPrototypeOf(f))];
  stack.push(Object.getPrototypeOf(Uint8Array), Object.getPrototypeOf([][Symbol.iterator]()));
  while (stack.length) {
    const o = stack.pop();
    if ((typeof o !== 'object' && typeof o !== 'function') || o === null || seen.has(o) || skip.has(o)) continue;
    seen.add(o);
    stack.push(Object.getPrototypeOf(o));
    for (const key of Reflect.ownKeys(o)) {
      const d = Object.getOwnPropertyDescriptor(o, key);
      if (d) stack.push(d.value, d.get, d.set);
    }
    Object.freeze(o);
  }
}
