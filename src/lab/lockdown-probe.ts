// Attacks on a worker scope locked down as the Python checker's is (reward/python/lockdown.ts), for what a
// program could do with any JavaScript function it gets hold of. Run in a fresh worker (the lock-down is for
// good): a Node worker thread in tests/reward/python-lockdown.test.ts, a Web Worker in Chromium from the lab
// page (e2e/python.spec.ts). Each attack returns true only if it got through; throwing means it was refused.
import { lockDownScope } from '../reward/python/lockdown.ts';

export interface ProbeOutcome {
  attack: string;
  /** 'held' (returned false), 'refused: <error name>' (threw), or 'ESCAPED'. */
  outcome: string;
}

type Bag = Record<string, unknown>;
const g = globalThis as unknown as Bag;
const ctor = (f: unknown) => (Object.getPrototypeOf(f) as { constructor: (...a: string[]) => unknown }).constructor;
const made = (f: unknown) => typeof f === 'function';
const patched = (o: Bag, key: string) => {
  const mark = () => 'patched';
  o[key] = mark;
  return o[key] === mark;
};

/** Code a program would write, in the spellings that reach `import()` or the global object. */
const SOURCES = [
  'return globalThis',
  'return import("data:text/javascript,export default 1")',
  'return import ("node:child_process")',
  'return import/**/("node:fs")',
  'return import(`node:net`)',
  'return import.meta',
];

const ATTACKS: [string, () => unknown][] = [
  ...SOURCES.map((src): [string, () => unknown] => [`Function(${src})`, () => made(Function(src))]),
  ['new Function', () => made(new Function('return 1'))],
  ['function prototype constructor', () => made(function () {}.constructor('return 1'))],
  ['arrow bound constructor', () => made((() => 1).bind(null).constructor('return 1'))],
  ['AsyncFunction', () => made(ctor(async function () {})('return import("node:fs")'))],
  ['GeneratorFunction', () => made(ctor(function* () {})('yield 1'))],
  ['AsyncGeneratorFunction', () => made(ctor(async function* () {})('yield import("node:fs")'))],
  [
    'Reflect.construct',
    () =>
      made(
        Reflect.construct(
          ctor(() => 1),
          ['return 1'],
        ),
      ),
  ],
  ['eval', () => (g['ev' + 'al'] as (s: string) => unknown)('1') === 1],
  ['string setTimeout', () => (g.setTimeout as (s: string) => unknown)('globalThis.x = 1') !== undefined],
  ['string setInterval', () => (g.setInterval as (s: string) => unknown)('globalThis.x = 1') !== undefined],
  [
    'put a constructor back',
    () => {
      Object.defineProperty(Function.prototype, 'constructor', { value: Object });
      return Function.prototype.constructor === Object;
    },
  ],
  ['patch Array.prototype.push', () => patched(Array.prototype as unknown as Bag, 'push')],
  ['patch Uint8Array.prototype.slice', () => patched(Uint8Array.prototype as unknown as Bag, 'slice')],
  ['patch TextDecoder.prototype.decode', () => patched(TextDecoder.prototype as unknown as Bag, 'decode')],
  ['patch JSON.stringify', () => patched(JSON as unknown as Bag, 'stringify')],
  ['patch WebAssembly.Memory.prototype.grow', () => patched(WebAssembly.Memory.prototype as unknown as Bag, 'grow')],
  ['replace the global TextDecoder', () => patched(g, 'TextDecoder')],
  ['replace the global structuredClone', () => patched(g, 'structuredClone')],
  ['replace onmessage', () => patched(g, 'onmessage')],
  ['Object.prototype setter', () => (Object.defineProperty(Object.prototype, 'kind', { set() {} }), true)],
];

/** Globals that reach outside the worker; a browser worker has most of them before the lock-down. */
const REACHES = [
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'EventSource',
  'FontFace',
  'fonts',
  'importScripts',
  'navigator',
  'indexedDB',
  'caches',
  'webkitRequestFileSystem',
  'webkitRequestFileSystemSync',
  'OffscreenCanvas',
  'postMessage',
  'addEventListener',
  'BroadcastChannel',
  'Worker',
  'MessageChannel',
  'SharedWorker',
  'process',
  'require',
];

/** Locks this realm down, then tries every attack. A global the scope never had is reported 'absent'. */
export function probeLockedScope(): ProbeOutcome[] {
  const present = new Set(REACHES.filter((name) => name in g));
  lockDownScope();
  const reaches = REACHES.map((name): [string, () => unknown] => [
    `reach ${name}`,
    () => (present.has(name) ? name in g && g[name] !== undefined : 'absent'),
  ]);
  return [...ATTACKS, ...reaches].map(([attack, run]) => {
    try {
      const got = run();
      return { attack, outcome: got === 'absent' ? got : got ? 'ESCAPED' : 'held' };
    } catch (e) {
      return { attack, outcome: `refused: ${(e as Error)?.name ?? typeof e}` };
    }
  });
}
