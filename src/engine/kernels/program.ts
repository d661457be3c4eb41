// Running a hand-written WGSL program through the tfjs WebGPU backend, so that its inputs and output are
// ordinary tfjs tensors (tidy, dispose and memory accounting work as for any op) and the dispatch goes
// into tfjs's own command encoder, in order with the ops around it.
//
//   const y = runKernel({ key: 'rmsnorm_64', code, inputs: [x, g], outShape: [N, D], workgroups: N, workgroupSize: 64 })
//
// The backend declares every input as `var<storage, read> NAME: array<f32>` (array<i32> for int32) and the
// output as `result`; the code reads and writes them by flat index and is called once per invocation as
// `main(index)`, where index is the flat invocation id. Sizes are baked into the code as constants (the
// key must name them, since tfjs caches pipelines by key and input ranks only).
import * as tf from '../tf.ts';
import { dropCpuCopy, tensorFromInfo, webgpuBackend } from '../tfjs-internals.ts';

export interface KernelCall {
  key: string; // unique per code text
  code: string; // WGSL with `fn main(index: i32) { ... }`
  inputs: Record<string, tf.Tensor>;
  outShape: number[];
  workgroups: number; // number of workgroups (flat; over 65,535 the kernel must check its bounds)
  workgroupSize: number;
  uniforms?: Record<string, number>; // i32 values that change per call (e.g. the cache slot)
  floatUniforms?: Record<string, number>; // f32 values that change per call (e.g. the learning rate)
  output?: tf.Tensor; // written in place instead of allocating a new tensor
  dtype?: tf.DataType;
  components?: number[]; // per input, in order: 4 declares it `array<vec4<f32>>` (default 1)
  outputComponents?: number; // 4 declares `result` as `array<vec4<f32>>` (default 1)
}

const MAX_GROUPS = 65535;

class Program {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms?: string;
  variableComponents?: number[];
  outputComponent?: number;
  size = false;
  constructor(private readonly c: KernelCall) {
    this.variableNames = Object.keys(c.inputs);
    this.outputShape = c.outShape;
    this.shaderKey = `webgrpo_${c.key}`;
    this.dispatchLayout = { x: c.outShape.map((_, i) => i) };
    // WebGPU allows 65,535 workgroups per dimension; beyond, a second dimension (the flat index that
    // main() receives counts across both, and kernels return past their last element)
    this.dispatch =
      c.workgroups <= MAX_GROUPS ? [c.workgroups, 1, 1] : [MAX_GROUPS, Math.ceil(c.workgroups / MAX_GROUPS), 1];
    this.workgroupSize = [c.workgroupSize, 1, 1];
    const fields = [
      ...Object.keys(c.uniforms ?? {}).map((k) => `${k} : i32,`),
      ...Object.keys(c.floatUniforms ?? {}).map((k) => `${k} : f32,`),
    ];
    if (fields.length) this.uniforms = fields.join(' ');
    if (c.components) this.variableComponents = c.components;
    if (c.outputComponents) this.outputComponent = c.outputComponents;
  }
  getUserCode(): string {
    // tfjs binds its uniform buffer to every program, and pipelines use layout 'auto', which leaves out
    // bindings the entry point never touches: a kernel that needs no uniform must still read one.
    return this.c.code.replace('fn main(index: i32) {', 'fn main(index: i32) {\n  _ = uniforms.NAN;');
  }
}

export function runKernel(c: KernelCall): tf.Tensor {
  const backend = webgpuBackend();
  const uniforms = [
    ...Object.values(c.uniforms ?? {}).map((v) => ({ type: 'int32', data: [v] })),
    ...Object.values(c.floatUniforms ?? {}).map((v) => ({ type: 'float32', data: [v] })),
  ];
  const info = backend.runWebGPUProgram(
    new Program(c),
    Object.values(c.inputs),
    c.dtype ?? 'float32',
    uniforms.length ? uniforms : undefined,
    c.output,
  );
  if (c.output) {
    dropCpuCopy(c.output); // the backend's CPU copy of its values (from a read) is stale now
    return c.output;
  }
  return tensorFromInfo(info);
}

/** WGSL float literal of a JS number (always with a decimal point or exponent). */
export function f32(x: number): string {
  const s = String(Math.fround(x));
  return /[.eE]/.test(s) ? s : `${s}.0`;
}
