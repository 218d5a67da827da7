import { Rng } from '../util/rng';
import { symmetricEigen } from './symmetric-eigen';
import { axpy, dot, norm, scaled } from './vectors';

/** A symmetric linear operator given by its product with a vector (a Hessian-vector product). */
export type Operator = (v: Float32Array) => Promise<Float32Array>;

/** The Lanczos process so far: an orthonormal Krylov basis Q and the tridiagonal T = QᵀAQ. */
export interface LanczosState {
  basis: Float64Array[];
  alpha: number[];
  beta: number[];
}

/** Thrown when a caller's signal stops the work between two operator products. */
export class HessianAbortedError extends Error {
  constructor() {
    super('Hessian estimate stopped');
    this.name = 'HessianAbortedError';
  }
}

export function randomUnitVector(dim: number, rng: Rng, rademacher = false): Float64Array {
  const v = new Float64Array(dim);
  for (let i = 0; i < dim; i++) v[i] = rademacher ? (rng.uniform() < 0.5 ? -1 : 1) : rng.normal();
  return scaled(v, 1 / norm(v));
}

/**
 * Removes from w its components along every basis vector. A second pass runs only when the first cancelled most
 * of w, the case where one pass leaves it measurably non-orthogonal ("twice is enough", Kahan–Parlett); each
 * pass costs as much as all the products' arithmetic put together on a large model.
 */
function orthogonalize(w: Float64Array, basis: readonly Float64Array[]): void {
  const before = norm(w);
  for (const q of basis) axpy(w, -dot(w, q), q);
  if (norm(w) < 0.7 * before) for (const q of basis) axpy(w, -dot(w, q), q);
}

/**
 * Runs Lanczos steps with full reorthogonalisation until `done(state)` says so or `maxSteps` is reached. An
 * invariant subspace (β ≈ 0) restarts from a fresh random direction orthogonal to the basis, so every eigenvalue
 * can still be reached. `start` need not be normalised.
 */
export async function lanczos(
  op: Operator,
  dim: number,
  maxSteps: number,
  opts: { start?: ArrayLike<number>; rng: Rng; signal?: AbortSignal; done?: (s: LanczosState, nextBeta: number) => boolean },
): Promise<LanczosState> {
  const s: LanczosState = { basis: [], alpha: [], beta: [] };
  const steps = Math.min(maxSteps, dim);
  let q = opts.start && norm(opts.start) > 0 ? scaled(opts.start, 1 / norm(opts.start)) : randomUnitVector(dim, opts.rng);
  for (let j = 0; j < steps; j++) {
    if (opts.signal?.aborted) throw new HessianAbortedError();
    s.basis.push(q);
    const w = Float64Array.from(await op(Float32Array.from(q)));
    const a = dot(w, q);
    s.alpha.push(a);
    orthogonalize(w, s.basis);
    const b = norm(w);
    if (opts.done?.(s, b) || j === steps - 1) break;
    if (b <= 1e-10 * Math.max(1, Math.abs(a))) {
      // Invariant subspace: T splits here (β = 0); continue from a new direction.
      const fresh = randomUnitVector(dim, opts.rng);
      orthogonalize(fresh, s.basis);
      const n = norm(fresh);
      if (n < 1e-8) break;
      s.beta.push(0);
      q = scaled(fresh, 1 / n);
      continue;
    }
    s.beta.push(b);
    q = scaled(w, 1 / b);
  }
  return s;
}

/** Eigenvalues (descending) and eigenvectors of the tridiagonal T of a Lanczos state. */
export function ritz(s: LanczosState): { values: number[]; vectors: Float64Array[] } {
  const m = s.alpha.length;
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    t[i * m + i] = s.alpha[i];
    if (i + 1 < m) t[i * m + i + 1] = t[(i + 1) * m + i] = s.beta[i];
  }
  return symmetricEigen(t, m);
}

/** Q·y: a Ritz vector in the original space. */
export function ritzVector(s: LanczosState, y: ArrayLike<number>): Float64Array {
  const out = new Float64Array(s.basis[0].length);
  for (let i = 0; i < y.length; i++) axpy(out, y[i], s.basis[i]);
  return out;
}
