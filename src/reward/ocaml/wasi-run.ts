// Runs the OCaml bytecode runtime (public/ocaml/ocamlrun.wasm, built by tools/ocaml-wasm/build.sh) on an
// in-memory file system, synchronously, in whatever thread calls it (the checker's worker). DOM-free: the
// same code runs in a Web Worker and in a Node worker thread.
//
//   const fs = new OcamlFs(assets);  fs.write('/w/a.ml', src);
//   const r = runOcamlrun(assets, fs, ['/usr/bin/ocamlc', '-c', '/w/a.ml'], { memoryMb: 512 });
//
// Each run is a fresh instance (proc_exit ends an instance); the compiled module is shared, so a run costs
// only the instantiation and the runtime's own start (loading the bytecode: ~50 ms for ocamlc).
import {
  WASI,
  WASIProcExit,
  File,
  Directory,
  OpenFile,
  PreopenDirectory,
  ConsoleStdout,
  Inode,
  wasi as wasiDefs,
} from '@bjorn3/browser_wasi_shim';

/** What the runtime needs: the compiled runtime, the compiler bytecode and the stdlib files by name. */
export interface OcamlAssets {
  runtime: WebAssembly.Module;
  ocamlc: Uint8Array;
  stdlib: Map<string, Uint8Array>;
}

/** Where the stdlib lives inside the sandbox: the path Debian's ocamlc.byte was configured with. */
export const STDLIB_DIR = '/usr/lib/ocaml';
export const OCAMLC = '/usr/bin/ocamlc';
export const WORK_DIR = '/w';

export interface RunOptions {
  /** Cap on the instance's linear memory, in MiB; growing past it makes the runtime fail with Out_of_memory. */
  memoryMb: number;
  /** Bytes of stdout and of stderr kept; the rest is counted and dropped (a runaway print cannot exhaust the host). */
  outputLimit?: number;
  /** The file system the run sees (default: the compiler's, `fs.root`). */
  root?: Directory;
  /** Receives what the run writes to file descriptor 4 (which has no path); without it fd 4 does not exist. */
  resultSink?: (data: Uint8Array) => void;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The run ended without exiting: a wasm trap (e.g. C stack exhausted) or a host error. */
  crash?: string;
  outputTruncated: boolean;
}

/** The sandbox's file system: the stdlib read-only, the compiler, and a writable work folder. */
export class OcamlFs {
  readonly work = new Directory(new Map());
  readonly root: Directory;

  constructor(assets: OcamlAssets) {
    const lib = new Map<string, Inode>();
    for (const [name, data] of assets.stdlib) lib.set(name, new File(data, { readonly: true }));
    this.root = new Directory(
      new Map<string, Inode>([
        [
          'usr',
          new Directory(
            new Map<string, Inode>([
              ['lib', new Directory(new Map<string, Inode>([['ocaml', new Directory(lib)]]))],
              ['bin', new Directory(new Map<string, Inode>([['ocamlc', new File(assets.ocamlc, { readonly: true })]]))],
            ]),
          ),
        ],
        [WORK_DIR.slice(1), this.work],
      ]),
    );
  }

  /** Writes a file in the work folder (name without folder). */
  write(name: string, content: string | Uint8Array): void {
    const data = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    this.work.contents.set(name, new File(data));
  }

  read(name: string): Uint8Array | null {
    const f = this.work.contents.get(name);
    return f instanceof File ? f.data : null;
  }

  /**
   * The file system a compiled program runs in: an empty work folder holding only the program, which
   * disappears once the runtime has opened it (so the program cannot read the tests compiled into it).
   * Nothing else: no sources, no compiler, no standard library files.
   */
  programRoot(name: string): Directory {
    const data = this.read(name);
    if (!data) throw new Error(`no ${name} in the work folder`);
    const work = new Directory(new Map());
    work.contents.set(name, new ReadOnceFile(data, () => work.contents.delete(name)));
    return new Directory(new Map<string, Inode>([[WORK_DIR.slice(1), work]]));
  }

  /** Empties the work folder between checks. */
  clear(): void {
    this.work.contents.clear();
  }
}

/** A read-only file that leaves its folder when it is first opened. */
class ReadOnceFile extends File {
  constructor(
    data: Uint8Array,
    private readonly remove: () => void,
  ) {
    super(data, { readonly: true });
  }

  override path_open(...args: Parameters<File['path_open']>): ReturnType<File['path_open']> {
    const opened = super.path_open(...args);
    this.remove();
    return opened;
  }
}

/** A write-only descriptor without a path, after the preopened root (so wasi-libc stops its preopen scan there). */
class SinkFd extends ConsoleStdout {
  override fd_prestat_get(): ReturnType<ConsoleStdout['fd_prestat_get']> {
    return { ret: wasiDefs.ERRNO_BADF, prestat: null };
  }
}

/** Collects an output stream up to a limit, optionally reporting complete lines as they arrive. */
class Capture {
  private chunks: Uint8Array[] = [];
  private kept = 0;
  truncated = false;

  constructor(private readonly limit: number) {}

  write(data: Uint8Array): void {
    const room = this.limit - this.kept;
    if (data.length > room) this.truncated = true;
    if (room > 0) {
      const part = data.subarray(0, room);
      this.chunks.push(part.slice());
      this.kept += part.length;
    }
  }

  text(): string {
    const all = new Uint8Array(this.kept);
    let at = 0;
    for (const c of this.chunks) {
      all.set(c, at);
      at += c.length;
    }
    return new TextDecoder().decode(all);
  }
}

/** Runs `ocamlrun <args>` to completion on `fs`; throws nothing (failures are in the result). */
export function runOcamlrun(assets: OcamlAssets, fs: OcamlFs, args: string[], opts: RunOptions): RunResult {
  const limit = opts.outputLimit ?? 64 * 1024;
  const out = new Capture(limit),
    err = new Capture(limit);
  const fds = [
    new OpenFile(new File(new Uint8Array(0), { readonly: true })), // stdin is empty
    new ConsoleStdout((d) => out.write(d)),
    new ConsoleStdout((d) => err.write(d)),
    new PreopenDirectory('/', (opts.root ?? fs.root).contents),
  ];
  if (opts.resultSink) fds.push(new SinkFd(opts.resultSink));
  // OCAMLRUNPARAM: b = backtraces off (no debug info shipped); l = OCaml stack limit in words, so deep
  // recursion ends as Stack_overflow well inside the memory cap.
  const wasi = new WASI(['ocamlrun', ...args], ['OCAMLRUNPARAM=l=1M'], fds, { debug: false });
  const pages = Math.max(256, Math.floor(opts.memoryMb * 16)); // 64 KiB pages; 16 MiB is the module's minimum
  const memory = new WebAssembly.Memory({ initial: 256, maximum: pages });
  let exitCode = -1,
    crash: string | undefined;
  try {
    const instance = new WebAssembly.Instance(assets.runtime, {
      env: { memory },
      wasi_snapshot_preview1: wasi.wasiImport,
    });
    // The module imports its memory, so the shim finds it on a view of the instance that exports it.
    exitCode = wasi.start({ exports: { memory, _start: instance.exports._start } } as unknown as Parameters<
      WASI['start']
    >[0]);
  } catch (e) {
    if (e instanceof WASIProcExit) exitCode = e.code;
    else crash = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  return { exitCode, stdout: out.text(), stderr: err.text(), crash, outputTruncated: out.truncated || err.truncated };
}
