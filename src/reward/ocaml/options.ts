// The OCaml reward's options as a strict zod schema: the run config validates them with it (before any
// worker starts), the reward parses them with it, and the app and docs read each option's description.
import { z } from 'zod';

export const OcamlRewardOptions = z
  .strictObject({
    end_marker: z
      .string()
      .default('END')
      .describe('Line that ends the program in the completion; also where code is cut when there is no ``` fence.'),
    weight_structure: z.number().min(0).default(0.05).describe('Share of the score for the END marker.'),
    weight_typecheck: z.number().min(0).default(0.2).describe('Share for type-checking (1 - errors / definitions).'),
    weight_compile: z.number().min(0).default(0.1).describe('Share for the whole program compiling.'),
    weight_tests: z.number().min(0).default(0.65).describe("Share for the fraction of the problem's tests passed."),
    runaway_penalty: z
      .number()
      .min(0)
      .max(1)
      .default(0.3)
      .describe('Multiplier for a completion cut by the length limit before its END marker.'),
    min_code_lines: z
      .number()
      .int()
      .min(0)
      .default(8)
      .describe('Fewer non-empty code lines than this scores 0 without running the compiler.'),
    time_limit_ms: z
      .number()
      .int()
      .min(100)
      .max(120_000)
      .default(5000)
      .describe('Wall-clock limit of one check (type-check, compile and tests together), ms.'),
    memory_mb: z
      .number()
      .int()
      .min(32)
      .max(2048)
      .default(256)
      .describe('Memory cap of each compiler or program run, MiB.'),
    tests_field: z
      .string()
      .default('tests')
      .describe("The row's column holding the tests (a list of OCaml boolean expressions, or its JSON)."),
  })
  .describe('OCaml reward options');
export type OcamlRewardOptions = z.infer<typeof OcamlRewardOptions>;
