// Custom rewards: the body of a JavaScript function `(sample, options) => number | null | {score, details}`
// written by the user, run in the QuickJS sandbox (sandbox.ts) inside the reward worker.
//
//   options.code = 'return sample.completion.includes("because") ? 1 : 0;'
//
// What the code can do: read the sample (prompt, completion, completionIds, row, finishReason, progress) and
// its options, as plain data, and use the language's built-ins. What it cannot do: reach the network, the
// page, storage, fonts, canvases, workers or any other object of the browser or of Node (none exists in
// the interpreter); use more than `memory_mb` of memory; run past the reward's `timeout_ms`; return more than
// MAX_RESULT_CHARS of JSON. Breaking a limit fails that call only (it scores failure_score).
// A shared link that carries custom code shows it and asks before running it (see engine/link.ts).
import { RewardTimeoutError } from './runner.ts';
import type { RewardFn, RewardResult } from './types.ts';

export class CustomRewardError extends Error {
  readonly name = 'CustomRewardError';
}

export const MAX_CODE_CHARS = 100_000;
export const MAX_RESULT_CHARS = 64 * 1024;
export const DEFAULT_MEMORY_MB = 64;
export const MAX_MEMORY_MB = 512;
const DEFAULT_TIMEOUT_MS = 10_000;

/** Refuses code the sandbox cannot run; returns the code unchanged otherwise. */
export function checkCustomCode(code: unknown): string {
  if (typeof code !== 'string' || code.trim() === '')
    throw new CustomRewardError(
      'custom reward needs option "code": the body of a function of (sample, options) that returns a number',
    );
  if (code.length > MAX_CODE_CHARS)
    throw new CustomRewardError(
      `custom reward code is ${code.length} characters, over the limit of ${MAX_CODE_CHARS}; keep the reward short`,
    );
  return code;
}

/** The memory limit of one call, in MB (option memory_mb). */
export function customMemoryMb(options: Record<string, unknown>): number {
  const mb = options.memory_mb ?? DEFAULT_MEMORY_MB;
  if (typeof mb !== 'number' || !Number.isInteger(mb) || mb < 1 || mb > MAX_MEMORY_MB)
    throw new CustomRewardError(`custom reward option memory_mb must be an integer from 1 to ${MAX_MEMORY_MB}`);
  return mb;
}

// The sandbox stops the code a little before the runner's own limit, so the worker reports the time-out
// itself instead of being terminated and restarted.
function deadlineMs(timeoutMs: number): number {
  return Math.max(1, timeoutMs - Math.min(250, Math.floor(timeoutMs / 10)));
}

export const customReward: RewardFn = async (sample, options) => {
  const code = checkCustomCode(options.code);
  const memoryMb = customMemoryMb(options);
  const timeoutMs = typeof options.timeout_ms === 'number' ? options.timeout_ms : DEFAULT_TIMEOUT_MS;
  // the code and the sandbox's own settings are not the code's business
  const { code: _c, memory_mb: _m, timeout_ms: _t, ...rest } = options;
  // loaded on first use: only the reward worker (and Node) ever runs the interpreter
  const { runSandboxed, SandboxError } = await import('./sandbox.ts');
  try {
    return (await runSandboxed(
      code,
      { sample, options: rest },
      { timeoutMs: deadlineMs(timeoutMs), memoryBytes: memoryMb << 20, maxResultChars: MAX_RESULT_CHARS },
    )) as RewardResult | number | null;
  } catch (e) {
    if (e instanceof SandboxError && e.kind === 'timeout') throw new RewardTimeoutError('custom', timeoutMs);
    if (e instanceof SandboxError) throw new CustomRewardError(e.message);
    throw e;
  }
};
