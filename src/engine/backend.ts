// Chooses the tfjs backend in one place. In the browser and in a Worker: WebGPU. In Node: the CPU or WASM
// backend for tests, or WebGPU through the `webgpu` package (Dawn) when a GPU is present (benchmarks).
//
//   const info = await initBackend('webgpu')   // throws WebGPUUnavailableError with what to do
import * as tf from './tf.ts';
import { adapterName, isSoftwareAdapter } from './adapter.ts';

export type BackendName = 'webgpu' | 'wasm' | 'cpu';

export interface BackendInfo {
  backend: BackendName;
  device: string;
  maxBufferSize?: number;
  maxStorageBufferBindingSize?: number;
  features?: string[];
  software?: boolean; // a CPU implementation of WebGPU (SwiftShader, lavapipe): kernels are chosen for it
}

export class WebGPUUnavailableError extends Error {
  readonly name = 'WebGPUUnavailableError';
}

const isNode =
  typeof process !== 'undefined' &&
  !!process.versions?.node &&
  typeof (globalThis as { window?: unknown }).window === 'undefined' &&
  typeof (globalThis as { importScripts?: unknown }).importScripts === 'undefined';

let current: BackendInfo | null = null;

export function backendInfo(): BackendInfo | null {
  return current;
}

export async function initBackend(prefer?: BackendName): Promise<BackendInfo> {
  const want = prefer ?? (isNode ? 'cpu' : 'webgpu');
  if (isNode) tf.env().set('PROD', true); // silences tfjs's advice to install tfjs-node
  if (current?.backend === want) return current;
  if (want === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    current = { backend: 'cpu', device: 'tfjs CPU (JavaScript)' };
  } else if (want === 'wasm') {
    current = await initWasm();
  } else {
    current = await initWebGPU();
  }
  await tf.ready();
  return current;
}

async function initWasm(): Promise<BackendInfo> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (isNode) {
    const { createRequire } = await import('node:module');
    const path = await import('node:path');
    const dir = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    wasm.setWasmPaths(`${path.join(dir, 'dist')}/`);
  }
  await tf.setBackend('wasm');
  return { backend: 'wasm', device: 'tfjs WASM (CPU)' };
}

async function initWebGPU(): Promise<BackendInfo> {
  if (isNode && !(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) {
    // Dawn for Node; it needs a Vulkan driver (a real GPU, or SwiftShader).
    const pkg = 'webgpu';
    const dawn = (await import(/* @vite-ignore */ pkg)) as {
      create: (o: string[]) => GPU;
      globals: Record<string, unknown>;
    };
    Object.assign(globalThis, dawn.globals);
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: dawn.create([]) }, configurable: true });
  }
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu)
    throw new WebGPUUnavailableError(
      'This browser has no WebGPU: use a recent Chrome or Edge (or Firefox/Safari with WebGPU enabled), over https or http://localhost',
    );
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter)
    throw new WebGPUUnavailableError(
      'WebGPU is present but no GPU adapter was found: enable hardware acceleration in the browser settings, or update the GPU driver',
    );
  await import('@tensorflow/tfjs-backend-webgpu');
  const ok = await tf.setBackend('webgpu');
  if (!ok) throw new WebGPUUnavailableError('tfjs could not start its WebGPU backend on this adapter');
  const device = adapterName(adapter);
  return {
    backend: 'webgpu',
    device,
    software: isSoftwareAdapter(adapter),
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    features: [...adapter.features],
  };
}
