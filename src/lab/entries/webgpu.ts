// Reports what WebGPU adapter the page sees (name and the limits that bound model size).
export async function webgpuInfo(): Promise<Record<string, unknown>> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return { available: false };
  const adapter = await gpu.requestAdapter();
  if (!adapter) return { available: false };
  return {
    available: true,
    description: adapter.info?.description ?? '',
    vendor: adapter.info?.vendor ?? '',
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    features: [...adapter.features],
  };
}
