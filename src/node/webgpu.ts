/**
 * Node only: gives the process a `navigator.gpu` from Dawn (npm package `webgpu`), which must happen before
 * `@tensorflow/tfjs-backend-webgpu` is imported. Never imported by the browser bundle.
 */
export async function installNodeWebGPU(): Promise<boolean> {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu) return true;
  try {
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    const gpu = create([]);
    if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
    else Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: 'node' }, configurable: true, writable: true });
    return true;
  } catch {
    return false;
  }
}

/** Dawn keeps the process alive while navigator.gpu exists. */
export function uninstallNodeWebGPU(): void {
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (nav && 'gpu' in nav) delete nav.gpu;
}
