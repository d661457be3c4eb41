// What a WebGPU adapter is, from what the browser tells of it; no tfjs here, so that the app's main thread
// can ask without loading the engine.
//
//   isSoftwareAdapter(await navigator.gpu.requestAdapter())   // true on SwiftShader (Chromium without a GPU)

/** "vendor architecture description" of a WebGPU adapter, as far as the browser tells. */
export function adapterName(adapter: GPUAdapter): string {
  return (
    [adapter.info?.vendor, adapter.info?.architecture, adapter.info?.description].filter(Boolean).join(' ') ||
    'WebGPU adapter'
  );
}

/** Whether a WebGPU adapter is a CPU implementation (SwiftShader, lavapipe, WARP), for which kernels are chosen apart. */
export function isSoftwareAdapter(adapter: GPUAdapter): boolean {
  const fallback =
    (adapter.info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter ??
    (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return fallback === true || /swiftshader|llvmpipe|lavapipe|microsoft basic render/i.test(adapterName(adapter));
}
