/** Float64 vector helpers for the Krylov methods (the products themselves come back as float32). */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** a ← a + alpha·b */
export function axpy(a: Float64Array, alpha: number, b: ArrayLike<number>): void {
  for (let i = 0; i < a.length; i++) a[i] += alpha * b[i];
}

export function scaled(a: ArrayLike<number>, alpha: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] * alpha;
  return out;
}
