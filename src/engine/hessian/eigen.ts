import { Rng } from '../util/rng';
import { lanczos, ritz, ritzVector, type LanczosState, type Operator } from './lanczos';

export interface TopEigenOptions {
  /** Most operator products (Lanczos steps); default max(2k + 20, 30), never more than dim. */
  maxIter?: number;
  /**
   * Stop when every top-k Ritz pair has a residual ‖Av − θv‖ = β·|last component| below tol times the largest
   * |θ| found, and no top-k value moved by more than tol (relative) since the last check; default 1e-4.
   */
  tol?: number;
  seed?: number;
  /** Warm start: the previous top eigenvector (a good start makes few steps enough). */
  start?: ArrayLike<number>;
  signal?: AbortSignal;
}

export interface TopEigenResult {
  /** The k largest (algebraic) eigenvalues, largest first. */
  values: number[];
  /** Operator products used. */
  iterations: number;
  /** Whether the tolerance was met (else maxIter ran out and the values are the best estimates). */
  converged: boolean;
  /** Unit eigenvector estimate of the largest eigenvalue (for the next warm start). */
  vector: Float32Array;
}

/**
 * The k largest eigenvalues of a symmetric operator by Lanczos with full reorthogonalisation, seeded start,
 * convergence by relative change of the k values between steps.
 */
export async function topEigenvalues(hvp: Operator, dim: number, k: number, opts: TopEigenOptions = {}): Promise<TopEigenResult> {
  if (!(Number.isInteger(k) && k >= 1 && k <= dim)) throw new RangeError(`k must be an integer in 1..${dim}, got ${k}`);
  const tol = opts.tol ?? 1e-4;
  const maxIter = Math.min(dim, Math.max(k, opts.maxIter ?? Math.max(2 * k + 20, 30)));
  let previous: number[] | null = null;
  let converged = false;
  const done = (s: LanczosState, nextBeta: number): boolean => {
    const m = s.alpha.length;
    // At least k + 1 steps before judging, and the decomposition only every few steps once T is large.
    if (m < k + 1 || (m > 40 && m % 5 !== 0)) return false;
    const { values, vectors } = ritz(s);
    const now = values.slice(0, k);
    const prev = previous;
    previous = now;
    const scale = Math.max(1e-12, ...values.map(Math.abs));
    const small = now.every((_, i) => nextBeta * Math.abs(vectors[i][m - 1]) <= tol * scale);
    const settled = prev !== null && now.every((v, i) => Math.abs(v - prev[i]) <= tol * Math.max(Math.abs(v), 1e-12));
    converged = small && settled;
    return converged;
  };
  const state = await lanczos(hvp, dim, maxIter, { start: opts.start, rng: new Rng(opts.seed ?? 0, 'hessian:lanczos'), signal: opts.signal, done });
  const r = ritz(state);
  // A basis that spans the whole space is exact.
  if (state.alpha.length === dim) converged = true;
  return { values: r.values.slice(0, k), iterations: state.alpha.length, converged, vector: Float32Array.from(ritzVector(state, r.vectors[0])) };
}
