// The Python rewards' options as strict zod schemas: the run config validates them (before any worker
// starts), the rewards parse them, and the app's reward form and the docs read each option's description.
import { z } from 'zod';

const limits = {
  time_limit_ms: z
    .number()
    .int()
    .min(100)
    .max(120_000)
    .default(5000)
    .describe('Wall-clock limit of one check (all runs of the program together), ms, from when the worker begins it.'),
  memory_mb: z
    .number()
    .int()
    .min(128)
    .max(2048)
    .default(256)
    .describe(
      "Cap of the interpreter's WebAssembly memory, MiB (Pyodide itself takes about 30); past it: MemoryError.",
    ),
  output_limit_kb: z
    .number()
    .int()
    .min(1)
    .max(4096)
    .default(64)
    .describe('Cap of what one run may print (stdout and stderr together), KiB; past it the program gets an OSError.'),
};

export const PythonAbductionOptions = z
  .strictObject({
    ...limits,
    program_field: z.string().default('program').describe("The row's column holding the Python program to run."),
    output_field: z
      .string()
      .default('expected_output')
      .describe("The row's column holding the output the completion's input must make the program print."),
    input_tag: z
      .string()
      .regex(/^[A-Za-z][\w-]*$/)
      .default('input')
      .describe('Tag around the answer (<input>...</input>); without it, the last ``` block is the input.'),
  })
  .describe('python_abduction reward options');
export type PythonAbductionOptions = z.infer<typeof PythonAbductionOptions>;

export const PythonDeductionOptions = z
  .strictObject({
    ...limits,
    tests_field: z
      .string()
      .default('tests')
      .describe('The row\'s column holding the tests: a list of {"input", "output"} (or its JSON).'),
  })
  .describe('python_deduction reward options');
export type PythonDeductionOptions = z.infer<typeof PythonDeductionOptions>;
