// The OCaml reward, registered as `ocaml` (builtins.ts finds `<folder>Reward` in `<folder>/index.ts`).
// See reward.ts for the scoring, client.ts for the sandboxed checker, and README.md for its limits.
export {
  ocamlReward,
  OCAML_REWARD_DEFAULTS,
  OcamlRewardOptions,
  gradeOcaml,
  parseOcamlOptions,
  scoreReport,
  testsOf,
  OcamlOptionError,
  OcamlProblemError,
} from './reward.ts';
export { OcamlChecker, CheckerStartError } from './client.ts';
export type { CheckReport, CheckJob, CompilerMessage } from './protocol.ts';
export { extractCode, splitTopLevel, codeLineCount } from './code.ts';

/** Shown in the app's reward list. */
export const description =
  'OCaml program graded by the real compiler in WASM: END marker 5%, type-check 20%, compiles 10%, tests 65%; x0.3 for a runaway.';
export { OCAML_REWARD_DEFAULTS as defaults } from './reward.ts';
