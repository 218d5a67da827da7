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
  /**
   * `auto` on a machine with more than one fast backend: the backends it may take once it has timed them on the
   * configured model (the one named first is used until then).
   */
  candidates?: BackendName[];
  /** `auto`'s timing of the candidates on the run's model, when it made one. */
  measured?: BackendMeasurement;
}

/** One candidate's figure: ms per training step, or why it could not be timed. */
export interface BackendTiming {
  backend: BackendName;
  msPerStep: number | null;
  error?: string;
}

/** What `auto` timed, for which model, what it took and why. */
export interface BackendMeasurement {
  /** What was timed, e.g. "cnn-small lsq+cr, batch 64". */
  workload: string;
  timings: BackendTiming[];
  chosen: BackendName;
  reason: string;
  /** True when the figures are a stored earlier measurement on this machine rather than a new one. */
  remembered: boolean;
  /** When the figures were measured (ms since the epoch). */
  at: number;
}

export function describeAdapter(a: AdapterInfo): string {
  const parts = [a.vendor, a.architecture, a.description].filter((s) => s.length > 0);
  return `${parts.join(' / ') || 'unnamed adapter'}${a.software ? ' (software)' : ''}`;
}

/** "webgpu 41.2 ms/step, wasm 88.0 ms/step": the figures as the run card shows them. */
export function describeTimings(m: BackendMeasurement): string {
  return m.timings.map((t) => `${t.backend} ${t.msPerStep === null ? `could not be timed (${t.error ?? 'no reason'})` : `${t.msPerStep.toFixed(1)} ms/step`}`).join(', ');
}
