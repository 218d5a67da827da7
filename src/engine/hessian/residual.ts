import { HessianAbortedError, type Operator } from './lanczos';
import { dot, norm } from './vectors';

export interface ResidualBound {
  /** The Rayleigh quotient θ = vᵀHv of the unit vector v. */
  value: number;
  /** ‖Hv − θv‖: some eigenvalue of H lies in [θ − residual, θ + residual]. */
  residual: number;
}

/**
 * The Rayleigh quotient of `v` (normalised here) and its residual, from one explicit product. For a symmetric operator
 * the interval θ ± ‖Hv − θv‖ holds an eigenvalue whatever produced v (Krylov–Weinstein). Lanczos' own estimate of the
 * residual, β·|last component|, assumes exact arithmetic; finite-difference products are neither exact nor quite
 * symmetric, so the bound is measured on the operator itself rather than taken from the recurrence.
 */
export async function residualBound(op: Operator, v: ArrayLike<number>, signal?: AbortSignal): Promise<ResidualBound> {
  const n = norm(v);
  if (!(n > 0)) throw new RangeError('the vector must be non-zero');
  if (signal?.aborted) throw new HessianAbortedError();
  const u = Float32Array.from(v, (x) => x / n);
  // The norm of the float32 vector the operator sees, so θ and the residual are those of exactly that vector.
  const un = norm(u);
  const hu = await op(u);
  const value = dot(hu, u) / (un * un);
  let r = 0;
  for (let i = 0; i < u.length; i++) r += (hu[i] - value * u[i]) ** 2;
  return { value, residual: Math.sqrt(r) / un };
}
