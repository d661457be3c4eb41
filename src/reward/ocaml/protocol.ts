// Messages between the OCaml checker client (client.ts, a checker pool) and its worker (worker-core.ts), and
// the shapes of a check's job and report. The worker streams progress, so a check cut off at its time limit still
// reports what it had established (type errors, compilation, the tests that had passed).

import type { CheckerHost, PoolCheckStatus, PoolReply, PoolRequest } from '../checker-pool/protocol.ts';

/** The artefacts as bytes (public/ocaml/), loaded once by the client and copied to each new worker. */
export interface OcamlAssetBytes {
  runtime: Uint8Array;
  ocamlc: Uint8Array;
  stdlib: [string, Uint8Array][];
}

export interface CheckJob {
  code: string;
  /** OCaml boolean expressions, each a test. */
  tests: string[];
  /** Linear-memory cap of each ocamlrun instance, MiB. */
  memoryMb: number;
}

export interface CompilerMessage {
  stage: 'typecheck' | 'compile' | 'tests' | 'run';
  /** The definition it concerns (1-based line range), when counting errors definition by definition. */
  lines?: [number, number];
  text: string;
}

/** Progress, in the order it happens. */
export type CheckEvent =
  | { kind: 'typecheck'; definitions: number; typeErrors: number; messages: CompilerMessage[] }
  | { kind: 'compile'; ok: boolean; messages: CompilerMessage[] }
  | { kind: 'test'; index: number; passed: boolean }
  | { kind: 'test-compile'; index: number; message: string }
  | { kind: 'run'; exitCode: number; stdout: string; stderr: string; crash?: string };

export type CheckStatus = PoolCheckStatus;

export interface CheckReport {
  status: CheckStatus;
  definitions: number;
  typeErrors: number;
  compiled: boolean;
  /** Per test: true passed, false failed (or raised, or did not compile, or never ran). */
  tests: boolean[];
  messages: CompilerMessage[];
  stdout: string;
  /** Why the check ended early, when it did. */
  reason?: string;
  elapsedMs: number;
}

export type CheckerRequest = PoolRequest<OcamlAssetBytes, CheckJob>;
export type CheckerReply = PoolReply<CheckEvent>;
/** Where the OCaml checker's workers come from (node-host.ts, browser-host.ts). */
export type OcamlHost = CheckerHost<OcamlAssetBytes, CheckJob, CheckEvent>;

/** Folds a check's progress into its report; used for finished checks and cut-off ones alike. */
export function reportFrom(
  events: CheckEvent[],
  tests: number,
  status: CheckStatus,
  elapsedMs: number,
  reason?: string,
): CheckReport {
  const r: CheckReport = {
    status,
    definitions: 0,
    typeErrors: 0,
    compiled: false,
    tests: new Array(tests).fill(false),
    messages: [],
    stdout: '',
    elapsedMs,
    reason,
  };
  for (const e of events) {
    if (e.kind === 'typecheck') {
      r.definitions = e.definitions;
      r.typeErrors = e.typeErrors;
      r.messages.push(...e.messages);
    } else if (e.kind === 'compile') {
      r.compiled = e.ok;
      r.messages.push(...e.messages);
    } else if (e.kind === 'test' && e.index >= 0 && e.index < tests) r.tests[e.index] = e.passed;
    else if (e.kind === 'test-compile')
      r.messages.push({ stage: 'tests', text: e.index < 0 ? e.message : `test ${e.index + 1}: ${e.message}` });
    else if (e.kind === 'run') {
      r.stdout = e.stdout;
      if (e.crash) {
        r.status = 'crashed';
        r.reason = e.crash;
      } else if (e.exitCode !== 0) {
        r.messages.push({ stage: 'run', text: e.stderr.trim() || `exit code ${e.exitCode}` });
      }
    }
  }
  return r;
}
