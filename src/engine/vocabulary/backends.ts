export const BACKEND_NAMES = ['webgpu', 'wasm', 'webgl', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** `auto`: webgpu on a hardware adapter, else the fastest CPU path (wasm), then webgl, then cpu. */
export type BackendChoice = BackendName | 'auto';
export const BACKEND_CHOICES = ['auto', ...BACKEND_NAMES] as const satisfies readonly BackendChoice[];

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  /** True for software adapters (SwiftShader, llvmpipe): correct but slow. */
  software: boolean;
}

export interface BackendReport {
  name: BackendName;
  adapter: AdapterInfo | null;
  /** Backend-specific detail, e.g. wasm's SIMD and thread count. */
  detail: string;
  /** One line per backend passed over, saying why. */
  fallbacks: string[];
}

export function describeAdapter(a: AdapterInfo): string {
  const parts = [a.vendor, a.architecture, a.description].filter((s) => s.length > 0);
  return `${parts.join(' / ') || 'unnamed adapter'}${a.software ? ' (software)' : ''}`;
}
