import { describe, expect, it } from 'vitest';
import { densityOnGrid, eigenDensity } from '../src/engine/hessian/density';
import { topEigenvalues } from '../src/engine/hessian/eigen';
import { HessianAbortedError, type Operator } from '../src/engine/hessian/lanczos';
import { symmetricEigen } from '../src/engine/hessian/symmetric-eigen';
import { hessianTrace } from '../src/engine/hessian/trace';
import { Rng } from '../src/engine/util/rng';
import { dot, matVec, norm, randomOrthogonal, randomSymmetric } from './helpers/dense-linear-algebra';

// ---------------------------------------------------------------------------------------------------------------
// Dense float64 helpers (row-major n×n).

function frobenius(a: ArrayLike<number>): number {
  return norm(a);
}

/** A = Q diag(λ) Qᵀ for the columns q[i] of an orthogonal Q. */
function withSpectrum(lambdas: readonly number[], q: readonly Float64Array[]): Float64Array {
  const n = lambdas.length;
  const a = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const u = q[k];
    const l = lambdas[k];
    for (let i = 0; i < n; i++) {
      const li = l * u[i];
      for (let j = 0; j < n; j++) a[i * n + j] += li * u[j];
    }
  }
  // Symmetrise exactly (round-off of the sum differs between (i, j) and (j, i)).
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[i * n + j] = a[j * n + i] = (a[i * n + j] + a[j * n + i]) / 2;
  return a;
}

/** The Hessian-vector-product shaped operator of a dense matrix, counting its calls. */
function operator(a: ArrayLike<number>, n: number): Operator & { calls: number } {
  const op = (async (v: Float32Array) => {
    op.calls++;
    return Float32Array.from(matVec(a, n, v));
  }) as Operator & { calls: number };
  op.calls = 0;
  return op;
}

/** A spectrum of length dim: the given top values, the rest uniform in [lo, hi] (seeded). */
function spectrum(dim: number, top: readonly number[], rng: Rng, lo = -1, hi = 1): number[] {
  const rest = Array.from({ length: dim - top.length }, () => lo + (hi - lo) * rng.uniform());
  return [...top, ...rest];
}

function sortedDesc(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => b - a);
}

function problem(dim: number, top: readonly number[], seed: number, lo = -1, hi = 1) {
  const rng = new Rng(seed, 'test:problem');
  const lambdas = spectrum(dim, top, rng, lo, hi);
  const q = randomOrthogonal(dim, rng);
  const a = withSpectrum(lambdas, q);
  return { a, lambdas: sortedDesc(lambdas), q, op: operator(a, dim) };
}

function expectRelClose(actual: number, expected: number, rel: number): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected));
}

// ---------------------------------------------------------------------------------------------------------------

describe('symmetricEigen', () => {
  function checkDecomposition(a: Float64Array, n: number, r: { values: number[]; vectors: Float64Array[] }): void {
    const scale = Math.max(frobenius(a), 1e-300);
    expect(r.values).toHaveLength(n);
    expect(r.vectors).toHaveLength(n);
    for (let i = 0; i < n; i++) {
      const v = r.vectors[i];
      expect(v).toHaveLength(n);
      const av = matVec(a, n, v);
      let res = 0;
      for (let k = 0; k < n; k++) res += (av[k] - r.values[i] * v[k]) ** 2;
      expect(Math.sqrt(res) / scale).toBeLessThan(1e-9);
      for (let j = 0; j < n; j++) expect(Math.abs(dot(v, r.vectors[j]) - (i === j ? 1 : 0))).toBeLessThan(1e-10);
    }
    for (let i = 1; i < n; i++) expect(r.values[i]).toBeLessThanOrEqual(r.values[i - 1]);
    let trace = 0;
    for (let i = 0; i < n; i++) trace += a[i * n + i];
    expect(Math.abs(r.values.reduce((s, x) => s + x, 0) - trace)).toBeLessThan(1e-10 * Math.max(1, scale));
  }

  it.each([1, 2, 5, 30])('decomposes a random symmetric %i×%i matrix', (n) => {
    for (const seed of [1, 2, 3]) {
      const a = randomSymmetric(n, new Rng(seed, `test:sym${n}`));
      const input = Float64Array.from(a);
      const r = symmetricEigen(a, n);
      expect(Array.from(a)).toEqual(Array.from(input)); // the input is left alone
      checkDecomposition(a, n, r);
    }
  });

  it('accepts a plain number array and a 1×1 matrix', () => {
    const r = symmetricEigen([-3.5], 1);
    expect(r.values).toEqual([-3.5]);
    expect(Math.abs(r.vectors[0][0])).toBe(1);
    const r2 = symmetricEigen([2, 1, 1, 2], 2);
    expect(r2.values[0]).toBeCloseTo(3, 12);
    expect(r2.values[1]).toBeCloseTo(1, 12);
  });

  it('returns the sorted diagonal and unit basis vectors for a diagonal matrix', () => {
    const d = [3, -7, 0.5, 12, -1, 0];
    const n = d.length;
    const a = new Float64Array(n * n);
    d.forEach((x, i) => (a[i * n + i] = x));
    const r = symmetricEigen(a, n);
    expect(r.values).toEqual(sortedDesc(d));
    r.values.forEach((value, i) => {
      const at = d.indexOf(value);
      const e = Array.from({ length: n }, (_, k) => (k === at ? 1 : 0));
      expect(Array.from(r.vectors[i]).map(Math.abs)).toEqual(e);
    });
    checkDecomposition(a, n, r);
  });

  it('handles repeated eigenvalues (orthonormal vectors spanning the eigenspace)', () => {
    const rng = new Rng(7, 'test:repeated');
    const lambdas = [4, 4, 4, 1, 1, -2, 0.5, 4];
    const n = lambdas.length;
    const q = randomOrthogonal(n, rng);
    const a = withSpectrum(lambdas, q);
    const r = symmetricEigen(a, n);
    const want = sortedDesc(lambdas);
    r.values.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-12 * 10));
    checkDecomposition(a, n, r);
  });

  it('handles the zero matrix and a matrix that is already a multiple of the identity', () => {
    const z = symmetricEigen(new Float64Array(9), 3);
    expect(z.values).toEqual([0, 0, 0]);
    checkDecomposition(new Float64Array(9), 3, z);
    const id = Float64Array.from([5, 0, 0, 0, 5, 0, 0, 0, 5]);
    checkDecomposition(id, 3, symmetricEigen(id, 3));
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('topEigenvalues', () => {
  it('(a) finds a clearly separated top eigenvalue (k = 1)', async () => {
    const { op, lambdas } = problem(120, [10, 5, 3], 1);
    const r = await topEigenvalues(op, 120, 1, { seed: 1 });
    expect(r.values).toHaveLength(1);
    expectRelClose(r.values[0], lambdas[0], 1e-4);
    expect(r.iterations).toBe(op.calls);
    expect(r.iterations).toBeLessThanOrEqual(30);
  });

  it('(b) returns the largest algebraic eigenvalue, not the largest in magnitude', async () => {
    const { op } = problem(100, [4, -20, -15], 2);
    const r = await topEigenvalues(op, 100, 2, { seed: 2 });
    expectRelClose(r.values[0], 4, 1e-3);
    expect(r.values[1]).toBeLessThanOrEqual(1 + 1e-3);
    expect(r.values[1]).toBeGreaterThan(0.5); // the next one down among the [-1, 1] bulk, nowhere near −20
    // and an all-negative spectrum: the top is the least negative
    const neg = problem(60, [-0.5, -30], 3, -3, -1);
    const rn = await topEigenvalues(neg.op, 60, 1, { seed: 3 });
    expectRelClose(rn.values[0], -0.5, 1e-3);
  });

  it('(c) separates a close pair (10 and 9.99) with k = 2', async () => {
    const { op } = problem(150, [10, 9.99, 5], 4);
    const r = await topEigenvalues(op, 150, 2, { seed: 4 });
    expectRelClose(r.values[0], 10, 1e-3);
    expectRelClose(r.values[1], 9.99, 1e-3);
    expect(r.values[0]).toBeGreaterThan(r.values[1]);
  });

  it.each([5, 20])('(d) finds the top %i of a spectrum of distinct values, in order', async (k) => {
    const dim = 200;
    const top = Array.from({ length: 25 }, (_, i) => 30 - i); // 30, 29, …, 6
    const { op, lambdas } = problem(dim, top, 5, -2, 2);
    const r = await topEigenvalues(op, dim, k, { seed: 5 });
    expect(r.values).toHaveLength(k);
    r.values.forEach((v, i) => expectRelClose(v, lambdas[i], 1e-3));
    for (let i = 1; i < k; i++) expect(r.values[i]).toBeLessThan(r.values[i - 1]);
  });

  it('(e) returns a unit eigenvector of the top eigenvalue', async () => {
    const dim = 80;
    const { a, op, q } = problem(dim, [10, 5, 3], 6);
    const r = await topEigenvalues(op, dim, 3, { seed: 6 });
    expect(r.vector).toBeInstanceOf(Float32Array);
    expect(r.vector).toHaveLength(dim);
    expect(norm(r.vector)).toBeCloseTo(1, 5);
    const av = matVec(a, dim, r.vector);
    let res = 0;
    for (let i = 0; i < dim; i++) res += (av[i] - r.values[0] * r.vector[i]) ** 2;
    expect(Math.sqrt(res)).toBeLessThan(1e-2 * r.values[0]);
    // and it is (up to sign) the eigenvector of 10, the first column of Q
    expect(Math.abs(dot(r.vector, q[0]))).toBeGreaterThan(0.999);
  });

  it('(f) converges in fewer products from a warm start', async () => {
    const dim = 150;
    const { op, lambdas } = problem(dim, [10, 8, 6], 7);
    const cold = await topEigenvalues(op, dim, 1, { seed: 7 });
    const warm = await topEigenvalues(op, dim, 1, { seed: 7, start: cold.vector });
    expectRelClose(cold.values[0], lambdas[0], 1e-4);
    expectRelClose(warm.values[0], lambdas[0], 1e-4);
    expect(warm.iterations).toBeLessThan(cold.iterations);
    // a start vector need not be normalised
    const scaledStart = cold.vector.map((x) => x * 37);
    const warm2 = await topEigenvalues(op, dim, 1, { seed: 7, start: scaledStart });
    expect(warm2.iterations).toBe(warm.iterations);
    expectRelClose(warm2.values[0], lambdas[0], 1e-4);
  });

  it('(g) is deterministic for a seed, and other seeds agree within tolerance', async () => {
    const dim = 100;
    const { op, lambdas } = problem(dim, [12, 7, 4], 8);
    const a = await topEigenvalues(op, dim, 3, { seed: 11 });
    const b = await topEigenvalues(op, dim, 3, { seed: 11 });
    expect(b.values).toEqual(a.values);
    expect(b.iterations).toBe(a.iterations);
    expect(Array.from(b.vector)).toEqual(Array.from(a.vector));
    const c = await topEigenvalues(op, dim, 3, { seed: 12 });
    expect(c.values).not.toEqual(a.values); // a different start, so not bit-identical
    c.values.forEach((v, i) => {
      expectRelClose(v, a.values[i], 1e-4);
      expectRelClose(v, lambdas[i], 1e-4);
    });
  });

  it('(h) rejects k outside 1..dim with a RangeError', async () => {
    const { op } = problem(10, [3], 9);
    for (const k of [0, -1, 11, 2.5, NaN]) {
      await expect(topEigenvalues(op, 10, k)).rejects.toThrow(RangeError);
    }
    expect(op.calls).toBe(0);
    await expect(topEigenvalues(op, 10, 10)).resolves.toBeDefined();
  });

  it('(i) works when dim is smaller than maxIter (dim 3, k 3 gives the whole spectrum)', async () => {
    const q = randomOrthogonal(3, new Rng(10, 'test:small'));
    const a = withSpectrum([2, -1, 0.5], q);
    const op = operator(a, 3);
    const r = await topEigenvalues(op, 3, 3, { seed: 10 });
    expect(r.iterations).toBe(3);
    [2, 0.5, -1].forEach((v, i) => expect(Math.abs(r.values[i] - v)).toBeLessThan(1e-5));
    // dim 1
    const one = await topEigenvalues(operator([-4], 1), 1, 1);
    expect(one.values[0]).toBeCloseTo(-4, 6);
    expect(Math.abs(one.vector[0])).toBeCloseTo(1, 6);
  });

  it('(j) recovers the top k across an invariant subspace (2·I with one 2×2 block)', async () => {
    const n = 20;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) a[i * n + i] = 2;
    a[0] = 5;
    a[1] = a[n] = 1;
    a[n + 1] = 3;
    // eigenvalues 4 ± √2 and 2 (×18)
    const want = [4 + Math.SQRT2, 4 - Math.SQRT2, 2, 2, 2];
    const op = operator(a, n);
    // From e1 the Krylov space is exactly span{e1, e2}: β = 0 after two steps, and Lanczos must restart.
    const e1 = new Float32Array(n);
    e1[0] = 1;
    for (const opts of [{ start: e1 }, { seed: 3 }, {}]) {
      for (const k of [1, 3, 5]) {
        const r = await topEigenvalues(op, n, k, opts);
        expect(r.values).toHaveLength(k);
        r.values.forEach((v, i) => expect(Math.abs(v - want[i]), `k=${k} ${JSON.stringify(opts)} #${i}: ${v}`).toBeLessThan(1e-4));
      }
    }
    // a pure multiple of the identity: every direction is invariant
    const id = new Float64Array(n * n);
    for (let i = 0; i < n; i++) id[i * n + i] = 3;
    const r = await topEigenvalues(operator(id, n), n, 4, { seed: 1 });
    r.values.forEach((v) => expect(v).toBeCloseTo(3, 5));
  });

  it('(k) rejects with HessianAbortedError when the signal is aborted', async () => {
    const { op } = problem(50, [5], 11);
    const ctl = new AbortController();
    ctl.abort();
    await expect(topEigenvalues(op, 50, 1, { signal: ctl.signal })).rejects.toBeInstanceOf(HessianAbortedError);
    expect(op.calls).toBe(0);
    // aborted while running: stops between two products
    const late = new AbortController();
    const counting: Operator = async (v) => {
      const out = await op(v);
      if (op.calls >= 3) late.abort();
      return out;
    };
    op.calls = 0;
    const p = topEigenvalues(counting, 50, 1, { signal: late.signal });
    await expect(p).rejects.toThrow(HessianAbortedError);
    await expect(p).rejects.toHaveProperty('name', 'HessianAbortedError');
    expect(op.calls).toBe(3);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('hessianTrace', () => {
  it('estimates the trace within 4 standard errors and reports a plausible standard error', async () => {
    const dim = 100;
    const { a, op, lambdas } = problem(dim, [10, 5, 3], 12, -1, 4);
    let trace = 0;
    let offSq = 0;
    for (let i = 0; i < dim; i++) {
      trace += a[i * dim + i];
      for (let j = 0; j < dim; j++) if (i !== j) offSq += a[i * dim + j] ** 2;
    }
    expect(trace).toBeCloseTo(lambdas.reduce((s, x) => s + x, 0), 8);
    const samples = 200;
    const theoretical = Math.sqrt((2 * offSq) / samples);
    const r = await hessianTrace(op, dim, { samples, seed: 3 });
    expect(r.samples).toBe(samples);
    expect(op.calls).toBe(samples);
    expect(Math.abs(r.trace - trace)).toBeLessThan(4 * theoretical);
    expect(Math.abs(r.trace - trace)).toBeLessThan(4 * r.stderr);
    expect(r.stderr).toBeGreaterThan(theoretical / 2);
    expect(r.stderr).toBeLessThan(theoretical * 2);
    // deterministic for a seed
    const again = await hessianTrace(op, dim, { samples, seed: 3 });
    expect(again).toEqual(r);
  });

  it('is exact with zero standard error on a diagonal matrix', async () => {
    const dim = 64;
    const a = new Float64Array(dim * dim);
    let trace = 0;
    for (let i = 0; i < dim; i++) {
      a[i * dim + i] = (i % 7) - 2.5;
      trace += a[i * dim + i];
    }
    const r = await hessianTrace(operator(a, dim), dim, { samples: 30, seed: 1 });
    expect(r.trace).toBe(trace);
    expect(r.stderr).toBe(0);
    expect(r.samples).toBe(30);
  });

  it('stops early on an aborted signal and reports the samples it took', async () => {
    const { op } = problem(20, [3], 16);
    const ctl = new AbortController();
    const counting: Operator = async (v) => {
      const out = await op(v);
      if (op.calls === 5) ctl.abort();
      return out;
    };
    const r = await hessianTrace(counting, 20, { samples: 50, signal: ctl.signal });
    expect(r.samples).toBe(5);
    expect(op.calls).toBe(5);
    expect(Number.isFinite(r.trace)).toBe(true);
    expect(Number.isFinite(r.stderr)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('eigenDensity', () => {
  it('gives weights that sum to 1', async () => {
    const { op } = problem(80, [10, 5, 3], 13);
    for (const opts of [{}, { runs: 5, steps: 20, seed: 2 }, { runs: 1, steps: 200 }]) {
      const d = await eigenDensity(op, 80, opts);
      expect(d.nodes.length).toBe(d.weights.length);
      expect(Math.abs(d.weights.reduce((s, w) => s + w, 0) - 1)).toBeLessThan(1e-9);
      for (const w of d.weights) expect(w).toBeGreaterThanOrEqual(0);
    }
  });

  it('puts about 20% of the weight at 10 for eigenvalues {1 ×40, 10 ×10}', async () => {
    const dim = 50;
    const lambdas = [...Array(10).fill(10), ...Array(40).fill(1)];
    const q = randomOrthogonal(dim, new Rng(14, 'test:density'));
    const op = operator(withSpectrum(lambdas, q), dim);
    const d = await eigenDensity(op, dim, { runs: 12, seed: 4 });
    expect(Math.abs(d.weights.reduce((s, w) => s + w, 0) - 1)).toBeLessThan(1e-9);
    let near10 = 0;
    let near1 = 0;
    d.nodes.forEach((t, i) => {
      if (Math.abs(t - 10) < 0.5) near10 += d.weights[i];
      else if (Math.abs(t - 1) < 0.5) near1 += d.weights[i];
    });
    expect(Math.abs(near10 - 0.2)).toBeLessThan(0.1);
    expect(Math.abs(near1 - 0.8)).toBeLessThan(0.1);
    expect(near10 + near1).toBeGreaterThan(1 - 1e-6); // no weight anywhere else
  });

  it('densityOnGrid integrates to about 1 over a wide grid', async () => {
    const { op } = problem(60, [10, 5, 3], 15);
    const d = await eigenDensity(op, 60, { runs: 4, seed: 5 });
    const lo = Math.min(...d.nodes) - 5;
    const hi = Math.max(...d.nodes) + 5;
    const n = 4001;
    const h = (hi - lo) / (n - 1);
    const grid = Array.from({ length: n }, (_, i) => lo + i * h);
    const dens = densityOnGrid(d, grid, 0.3);
    expect(dens).toHaveLength(n);
    let integral = 0;
    for (let i = 0; i < n; i++) integral += dens[i] * (i === 0 || i === n - 1 ? h / 2 : h);
    expect(Math.abs(integral - 1)).toBeLessThan(1e-3);
    for (const x of dens) expect(x).toBeGreaterThanOrEqual(0);
  });
});

describe('topEigenvalues on a dense spectrum without a gap', () => {
  it('does not stop at a slowly moving estimate: it converges or says it did not', async () => {
    // 200 eigenvalues uniform in [0, 10]: the top two are close, and the estimate creeps up slowly.
    const { lambdas, op } = problem(200, [], 11, 0, 10);
    const r = await topEigenvalues(op, 200, 1, { maxIter: 150, tol: 1e-4, seed: 0 });
    const err = Math.abs(r.values[0] - lambdas[0]) / lambdas[0];
    if (r.converged) expect(err).toBeLessThan(1e-3);
    else expect(r.iterations).toBe(150);
    const short = await topEigenvalues(op, 200, 1, { maxIter: 10, tol: 1e-4, seed: 0 });
    expect(short.converged).toBe(false);
  });
});
