/** Dense float64 helpers for the Hessian tests: row-major n×n matrices, vectors as arrays. */
import type { Rng } from '../../src/engine/util/rng';

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export const norm = (a: ArrayLike<number>) => Math.sqrt(dot(a, a));

export function matVec(a: ArrayLike<number>, n: number, v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += a[i * n + j] * v[j];
    out[i] = s;
  }
  return out;
}

export function randomSymmetric(n: number, rng: Rng): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rng.normal();
  return a;
}

/** A random orthogonal matrix by Gram–Schmidt (twice) of random normal vectors; columns are q[i]. */
export function randomOrthogonal(n: number, rng: Rng): Float64Array[] {
  const q: Float64Array[] = [];
  while (q.length < n) {
    const v = Float64Array.from({ length: n }, () => rng.normal());
    for (let pass = 0; pass < 2; pass++) {
      for (const u of q) {
        const d = dot(v, u);
        for (let i = 0; i < n; i++) v[i] -= d * u[i];
      }
    }
    const l = norm(v);
    if (l < 1e-8) continue;
    q.push(v.map((x) => x / l));
  }
  return q;
}
