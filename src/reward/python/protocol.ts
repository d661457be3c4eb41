// Messages between the Python checker's client (client.ts) and its worker (worker-core.ts), and the shapes
// of a check. The worker only runs the program and reports what it printed: the expected outputs never
// reach it, and every verdict is computed by the client (reward.ts), outside the program's reach.

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

export type PythonCheckStatus = 'ok' | 'timeout' | 'crashed';

export interface PythonReport {
  status: PythonCheckStatus;
  /** The runs that finished, in order (a check cut off at its time limit has fewer than its stdins). */
  runs: PythonRun[];
  reason?: string;
  elapsedMs: number;
}

export type PythonRequest = { kind: 'init'; indexURL: string } | { kind: 'check'; id: number; job: PythonJob };

export type PythonReply =
  | { kind: 'ready' }
  /** The worker has begun the check: its time limit counts from here. */
  | { kind: 'started'; id: number }
  | { kind: 'run'; id: number; index: number; run: PythonRun }
  | { kind: 'done'; id: number }
  | { kind: 'error'; id: number; name: string; message: string };
