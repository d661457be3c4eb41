// The interpreter custom reward code runs in: QuickJS compiled to WebAssembly (quickjs-emscripten: its core
// and one build of the interpreter, the release build without asyncify). The code gets a JavaScript engine of its own, in its own linear memory,
// whose only globals are the language's built-ins (Object, Math, JSON, RegExp, ...): no fetch, no fonts, no
// storage, no canvas, no workers, no postMessage, no module loader. The sample and the options go in as
// JSON text and the result comes out as JSON text, so no object of the page or of the worker is ever
// reachable from inside, and there is no list of dangerous globals to keep up to date.
//
//   const value = await runSandboxed('return sample.completion.length', { sample, options }, limits)
//
// Each call gets a fresh runtime (nothing carries over between samples) with:
// - a memory limit (QuickJS's own allocator refuses past it: the code gets an "out of memory" error);
// - an interrupt deadline (checked by the interpreter as it runs, regular expressions included);
// - a stack limit (deep recursion is a RangeError, not a crash);
// - a cap on the size of the returned value's JSON.
// The browser's reward worker points the loader at the .wasm file Vite bundles (setSandboxWasmLocation);
// in Node (tests, the CLI) the package finds its own file.
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSWASMModule,
} from 'quickjs-emscripten-core';
import RELEASE_SYNC from '@jitl/quickjs-wasmfile-release-sync';

export interface SandboxLimits {
  /** Interrupt the code once it has run this long. */
  timeoutMs: number;
  /** QuickJS heap limit, in bytes. */
  memoryBytes: number;
  /** Largest JSON text of the returned value, in characters. */
  maxResultChars: number;
}

/** The interpreter's own stack limit: low enough that its stack overflow (about 700 nested calls) comes
 *  before the browser's own limit on a worker's WebAssembly stack. */
const STACK_BYTES = 128 * 1024;

/** What the code did wrong (it threw, ran out of memory, ran too long, returned too much). */
export class SandboxError extends Error {
  constructor(
    message: string,
    readonly kind: 'threw' | 'timeout' | 'memory' | 'result',
  ) {
    super(message);
  }
  readonly name = 'SandboxError';
}

let wasmLocation: string | undefined;
let modulePromise: Promise<QuickJSWASMModule> | null = null;

/** Where the browser finds the interpreter's .wasm (a URL of the app itself); unset in Node. */
export function setSandboxWasmLocation(url: string): void {
  wasmLocation = url;
  modulePromise = null;
}

function loadModule(): Promise<QuickJSWASMModule> {
  modulePromise ??= newQuickJSWASMModuleFromVariant(
    wasmLocation ? newVariant(RELEASE_SYNC, { wasmLocation }) : RELEASE_SYNC,
  ).catch((e: unknown) => {
    modulePromise = null;
    throw e;
  });
  return modulePromise;
}

// Evaluated once per context before the user's code exists, so the helpers keep the original built-ins
// even if the code replaces JSON or Function. `code` is compiled as a function body, strict.
const HELPERS = `(() => {
  'use strict';
  const F = Function, parse = JSON.parse, stringify = JSON.stringify, S = String;
  return {
    compile: (code) => F('sample', 'options', '"use strict";\\n' + code),
    call: (fn, input) => { const a = parse(input); return fn(a.sample, a.options); },
    encode: (v) => { const s = stringify(v === undefined ? null : v); return s === undefined ? 'null' : s; },
    isPromise: (v) => v instanceof Promise,
    describe: (e) => {
      try {
        if (e !== null && typeof e === 'object' && 'message' in e) return S(e.name || 'Error') + ': ' + S(e.message);
        return 'threw ' + S(e);
      } catch (x) {
        return 'threw a value that cannot be shown';
      }
    },
  };
})()`;

// Dataset rows may hold 64-bit integers (Parquet int64 columns come as BigInt), which JSON cannot carry.
const plainData = (_key: string, v: unknown) =>
  typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : String(v)) : v;

/** Runs `code` (a function body of sample and options) on `input`; resolves with the returned value as data. */
export async function runSandboxed(code: string, input: unknown, limits: SandboxLimits): Promise<unknown> {
  const qjs = await loadModule();
  const runtime = qjs.newRuntime();
  let interrupted = false;
  const deadline = Date.now() + limits.timeoutMs;
  runtime.setMemoryLimit(limits.memoryBytes);
  runtime.setMaxStackSize(STACK_BYTES);
  runtime.setInterruptHandler(() => (interrupted ||= Date.now() > deadline));
  const vm = runtime.newContext();
  let broken = false;
  try {
    const json = new Session(vm, limits, () => interrupted).run(code, JSON.stringify(input, plainData));
    return JSON.parse(json) as unknown;
  } catch (e) {
    if (e instanceof SandboxError) throw e;
    // the interpreter itself failed (a trap in its WebAssembly, such as the browser's own stack limit): its
    // state cannot be trusted, so it is dropped, not disposed, and the next call loads a fresh one
    broken = true;
    modulePromise = null;
    const msg = (e as Error).message;
    if (e instanceof RangeError) throw new SandboxError(`the code recursed too deeply (${msg})`, 'threw');
    throw new SandboxError(`the sandbox failed: ${msg}`, 'threw');
  } finally {
    if (!broken) {
      try {
        vm.dispose();
        runtime.dispose();
      } catch {
        modulePromise = null;
      }
    }
  }
}

/** One call inside one context: every handle it makes is disposed with it. */
class Session {
  private readonly handles: QuickJSHandle[] = [];
  private helpers!: QuickJSHandle;

  constructor(
    private readonly vm: QuickJSContext,
    private readonly limits: SandboxLimits,
    private readonly interrupted: () => boolean,
  ) {}

  private keep(h: QuickJSHandle): QuickJSHandle {
    this.handles.push(h);
    return h;
  }

  /** Calls a helper; a throw inside becomes a SandboxError that says what happened. */
  private helper(name: string, ...args: QuickJSHandle[]): QuickJSHandle {
    const fn = this.keep(this.vm.getProp(this.helpers, name));
    const r = this.vm.callFunction(fn, this.vm.undefined, ...args);
    if (r.error) throw this.failure(this.keep(r.error));
    return this.keep(r.value);
  }

  private failure(err: QuickJSHandle): SandboxError {
    const t = this.limits.timeoutMs;
    if (this.interrupted())
      return new SandboxError(`the code ran past its time limit of ${t} ms and was stopped`, 'timeout');
    let text = 'threw a value that cannot be shown';
    const r = this.vm.callFunction(this.keep(this.vm.getProp(this.helpers, 'describe')), this.vm.undefined, err);
    if (r.error) this.keep(r.error);
    else text = this.vm.getString(this.keep(r.value)).slice(0, 500);
    if (/out of memory/i.test(text))
      return new SandboxError(`the code went over its memory limit of ${this.limits.memoryBytes >> 20} MB`, 'memory');
    return new SandboxError(text, 'threw');
  }

  run(code: string, input: string): string {
    try {
      const h = this.vm.evalCode(HELPERS, 'sandbox-helpers.js');
      if (h.error) throw this.failure(this.keep(h.error));
      this.helpers = this.keep(h.value);
      const fn = this.helper('compile', this.keep(this.vm.newString(code)));
      let result = this.helper('call', fn, this.keep(this.vm.newString(input)));
      if (this.vm.dump(this.helper('isPromise', result)) === true) result = this.settle(result);
      const text = this.helper('encode', result);
      const length = this.vm.getNumber(this.keep(this.vm.getProp(text, 'length')));
      if (length > this.limits.maxResultChars)
        throw new SandboxError(
          `the returned value is ${length} characters of JSON, over the limit of ${this.limits.maxResultChars}; return a number or a small { score, details }`,
          'result',
        );
      return this.vm.getString(text);
    } finally {
      for (const h of this.handles.reverse()) if (h.alive) h.dispose();
    }
  }

  /** An async function's promise: its jobs run here (under the same deadline); it must settle. */
  private settle(promise: QuickJSHandle): QuickJSHandle {
    const jobs = this.vm.runtime.executePendingJobs();
    if (jobs.error) throw this.failure(this.keep(jobs.error));
    const state = this.vm.getPromiseState(promise);
    if (state.type === 'pending')
      throw new SandboxError(
        'the code returned a promise that never settles (the sandbox has no timers or I/O)',
        'threw',
      );
    if (state.type === 'rejected') throw this.failure(this.keep(state.error));
    return this.keep(state.value);
  }
}
