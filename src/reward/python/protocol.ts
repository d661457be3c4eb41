// Messages between the Python checker's client (client.ts, a checker pool) and its worker (worker-core.ts),
// and the shapes of a check. The worker only runs the program and reports what it printed: the expected outputs never
// reach it, and every verdict is computed by the client (reward.ts), outside the program's reach.

import type { CheckerHost, PoolCheckStatus, PoolReply, PoolRequest } from '../checker-pool/protocol.ts';

export interface PythonJob {
  code: string;
  /** One run of the program per entry, each with this text as its stdin. */
  stdins: string[];
  /** Cap of the interpreter's WebAssembly memory growth during the check, MiB. */
  memoryMb: number;
  /** Cap of what one run may print on stdout and stderr together, bytes. */
  outputLimit: number;
}

/** One run of the program on one stdin. */
export interface PythonRun {
  /** 'ok': it ended normally; 'exit': sys.exit / SystemExit; 'error': an exception ended it. */
  outcome: 'ok' | 'exit' | 'error';
  stdout: string;
  stderr: string;
  /** The output cap was reached and what followed was dropped. */
  truncated: boolean;
}

export type PythonCheckStatus = PoolCheckStatus;

export interface PythonReport {
  status: PythonCheckStatus;
  /** The runs that finished, in order (a check cut off at its time limit has fewer than its stdins). */
  runs: PythonRun[];
  reason?: string;
  elapsedMs: number;
}

/** What a worker starts with: where Pyodide's files are (a URL in the browser, a folder in Node). */
export interface PythonInit {
  indexURL: string;
}

/** One run of a check, as the worker posts it. */
export interface PythonRunEvent {
  index: number;
  run: PythonRun;
}

export type PythonRequest = PoolRequest<PythonInit, PythonJob>;
export type PythonReply = PoolReply<PythonRunEvent>;
/** Where the Python checker's workers come from (node-host.ts, browser-host.ts). */
export type PythonHost = CheckerHost<PythonInit, PythonJob, PythonRunEvent>;
