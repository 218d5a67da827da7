import { Rng } from '../util/rng';
import type { Operator } from './lanczos';
import { dot } from './vectors';

export interface TraceEstimate {
  trace: number;
  /** Standard error of the mean over the samples. */
  stderr: number;
  samples: number;
}

/** Hutchinson's estimator: tr(H) = E[vᵀHv] for Rademacher v (±1 entries). */
export async function hessianTrace(hvp: Operator, dim: number, opts: { samples?: number; seed?: number; signal?: AbortSignal } = {}): Promise<TraceEstimate> {
  const n = opts.samples ?? 20;
  const rng = new Rng(opts.seed ?? 0, 'hessian:hutchinson');
  const draws: number[] = [];
  for (let i = 0; i < n; i++) {
    if (opts.signal?.aborted) break;
    // A unit vector ±1/√dim, scaled back: vᵀHv = dim·uᵀHu. Products expect unit vectors (their difference step
    // is sized for them).
    const u = new Float32Array(dim);
    const c = 1 / Math.sqrt(dim);
    for (let j = 0; j < dim; j++) u[j] = rng.uniform() < 0.5 ? -c : c;
    draws.push(dim * dot(u, await hvp(u)));
  }
  const mean = draws.reduce((a, b) => a + b, 0) / Math.max(1, draws.length);
  const variance = draws.length > 1 ? draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws.length - 1) : NaN;
  return { trace: mean, stderr: Math.sqrt(variance / draws.length), samples: draws.length };
}
