import type { AdapterInfo } from '../vocabulary/backends';

export { describeAdapter } from '../vocabulary/backends';

/** The slice of the WebGPU API used here, so the engine does not depend on DOM typings of WebGPU. */
interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; description?: string; device?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(options?: Record<string, unknown>): Promise<GpuAdapterLike | null>;
}

function webgpuApi(): GpuLike | null {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  return nav?.gpu ?? null;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|software|microsoft basic render/i;

/** Asks for the adapter TF.js will get and describes it; null when there is none. */
export async function probeWebgpuAdapter(): Promise<AdapterInfo | null> {
  const gpu = webgpuApi();
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return null;
  const info = adapter.info ?? {};
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const description = info.description || info.device || '';
  const text = `${vendor} ${architecture} ${description}`;
  return {
    vendor,
    architecture,
    description,
    software: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter) || SOFTWARE.test(text),
  };
}
