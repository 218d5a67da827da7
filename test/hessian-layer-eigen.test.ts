/**
 * The uncertainty of Hessian estimates: the residual bound ‖Av − θv‖ on matrices whose eigenvalues are known, the
 * per-layer top eigenvalues of a tiny model against its dense Hessian (built column by column from explicit
 * products on the cpu backend), and the live tracker's spread.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topEigenvalues } from '../src/engine/hessian/eigen';
import { hessianParams, modelHvp } from '../src/engine/hessian/hvp';
import { layerBlocks, layerEigenvalues, measureLayerEigenvalues } from '../src/engine/hessian/layer-eigen';
import type { Operator } from '../src/engine/hessian/lanczos';
import { SharpnessTracker } from '../src/engine/hessian/live-sharpness';
import { residualBound } from '../src/engine/hessian/residual';
import { symmetricEigen } from '../src/engine/hessian/symmetric-eigen';
import { buildModel, CALIBRATE_CTX, type ModelSpec } from '../src/engine/models';
import { Mlp } from '../src/engine/models/mlp';
import { TrainingSession } from '../src/engine/train/session';
import { Rng } from '../src/engine/util/rng';
import { syntheticDataset } from './helpers/synthetic-dataset';
import { matVec, randomOrthogonal } from './helpers/dense-linear-algebra';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterAll(() => {
  tf.disposeVariables();
});

// ---------------------------------------------------------------------------------------------------------------
// A symmetric matrix with a chosen spectrum, as an operator.

/** A = Q diag(λ) Qᵀ and its operator. */
function withSpectrum(lambdas: readonly number[], seed: number): { a: Float64Array; q: Float64Array[]; op: Operator } {
  const n = lambdas.length;
  const q = randomOrthogonal(n, new Rng(seed, 'test:residual'));
  const a = new Float64Array(n * n);
  for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] += lambdas[k] * q[k][i] * q[k][j];
  const op: Operator = async (v) => Float32Array.from(matVec(a, n, v));
  return { a, q, op };
}

describe('residualBound', () => {
  const lambdas = [9, 5, 2, 1, 0.5, -1, -3, 0.25];
  const { q, op } = withSpectrum(lambdas, 3);
  const n = lambdas.length;

  it('is 0 at an eigenvector, whose Rayleigh quotient is its eigenvalue', async () => {
    const b = await residualBound(op, q[0]);
    expect(b.value).toBeCloseTo(9, 5);
    expect(b.residual).toBeLessThan(1e-5);
  });

  it('bounds the distance to the nearest eigenvalue for any vector, and is the exact residual', async () => {
    const rng = new Rng(7, 'test:residual-vectors');
    for (let trial = 0; trial < 20; trial++) {
      // Mostly the top eigenvector, plus a perturbation of varying size: residuals from tiny to large.
      const size = 10 ** (-3 + trial * 0.2);
      const v = Float64Array.from({ length: n }, (_, i) => q[0][i] + size * rng.normal());
      const b = await residualBound(op, Float64Array.from(v, (x) => 2.5 * x)); // scale does not matter
      const nearest = Math.min(...lambdas.map((l) => Math.abs(l - b.value)));
      expect(nearest, `trial ${trial}`).toBeLessThanOrEqual(b.residual + 1e-5);
      // The bound is not vacuous: it is ‖Av − θv‖ of the normalised vector, computed here independently in float64.
      const u = Float32Array.from(v.map((x) => x / Math.hypot(...v)));
      const au = await op(u);
      const un = Math.hypot(...u);
      const theta = u.reduce((s, x, i) => s + x * au[i], 0) / un ** 2;
      const r = Math.hypot(...Array.from(au, (x, i) => x - theta * u[i])) / un;
      expect(b.value).toBeCloseTo(theta, 5);
      expect(b.residual).toBeCloseTo(r, 5);
    }
  });

  it('makes a short Lanczos run honest: the top Ritz value ± residual holds the true top eigenvalue when converged enough', async () => {
    const big = withSpectrum(Array.from({ length: 60 }, (_, i) => (i === 0 ? 10 : i === 1 ? 9.5 : 8 * Math.cos(i))), 11);
    const few = await topEigenvalues(big.op, 60, 1, { maxIter: 4, seed: 1 });
    const many = await topEigenvalues(big.op, 60, 1, { maxIter: 40, seed: 1 });
    const bFew = await residualBound(big.op, few.vector);
    const bMany = await residualBound(big.op, many.vector);
    // Few steps: a wide band; enough steps: a narrow one around 10.
    expect(bFew.residual).toBeGreaterThan(10 * bMany.residual);
    expect(Math.abs(bMany.value - 10)).toBeLessThanOrEqual(bMany.residual + 1e-5);
    expect(bMany.residual).toBeLessThan(1e-2);
    // The Rayleigh quotient never exceeds the top eigenvalue.
    expect(bFew.value).toBeLessThanOrEqual(10 + 1e-5);
  });

  it('refuses the zero vector', async () => {
    await expect(residualBound(op, new Float32Array(n))).rejects.toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('layerEigenvalues', () => {
  const spec: ModelSpec = { name: 'mlp', inputShape: [2, 2, 1], numClasses: 3, quant: { wbits: 2, abits: 2, firstLastBits: 8, perChannel: false }, seed: 4 };

  function batch(count: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
    const rng = new Rng(5, 'test:layer-batch');
    const labels = Int32Array.from({ length: count }, (_, i) => i % 3);
    const values = Float32Array.from({ length: count * 4 }, (_, k) => rng.normal() + (k % 4 === labels[Math.floor(k / 4)] ? 1 : 0));
    return { x: tf.tensor4d(values, [count, 2, 2, 1]), y: tf.tensor1d(labels, 'int32') };
  }

  it("agree with the top eigenvalue of each layer's diagonal block of the dense Hessian", async () => {
    // 4 → 6 → 5 → 3: 83 weights and biases, small enough for a dense Hessian of 83 products.
    const model = new Mlp(spec, [6, 5]);
    const { x, y } = batch(12);
    tf.dispose(tf.tidy(() => model.forward(x, CALIBRATE_CTX)));
    const blocks = layerBlocks(model);
    expect(blocks.map((b) => b.layer)).toEqual(['fc1', 'fc2', 'fc3']);
    expect(blocks.map((b) => b.params.map((p) => p.name))).toEqual([
      ['fc1/w', 'fc1/b'],
      ['fc2/w', 'fc2/b'],
      ['fc3/w', 'fc3/b'],
    ]);

    // The dense Hessian over every weight and bias, one unit vector at a time.
    const all = modelHvp(model, x, y, 3);
    const n = all.dim;
    expect(n).toBe(83);
    expect(hessianParams(model).map((p) => p.name)).toEqual(blocks.flatMap((b) => b.params.map((p) => p.name)));
    const dense = new Float64Array(n * n);
    for (let j = 0; j < n; j++) {
      const e = new Float32Array(n);
      e[j] = 1;
      const col = await all.hvp(e);
      for (let i = 0; i < n; i++) dense[i * n + j] = col[i];
    }
    all.dispose();
    // Symmetrise: finite differences leave the two triangles a little apart.
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) dense[i * n + j] = dense[j * n + i] = (dense[i * n + j] + dense[j * n + i]) / 2;

    const before = tf.memory().numTensors;
    const layers = await layerEigenvalues(model, x, y, 3, { seed: 2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(layers.map((l) => l.layer)).toEqual(['fc1', 'fc2', 'fc3']);
    expect(layers.map((l) => l.dim)).toEqual([30, 35, 18]);

    let offset = 0;
    const expected: number[] = [];
    for (const l of layers) {
      const d = l.dim;
      const block = new Float64Array(d * d);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) block[i * d + j] = dense[(offset + i) * n + offset + j];
      offset += d;
      const top = symmetricEigen(block, d).values[0];
      expected.push(top);
      expect(Number.isFinite(l.value) && Number.isFinite(l.spread)).toBe(true);
      expect(l.spread).toBeGreaterThanOrEqual(0);
      // The block's top eigenvalue lies within the estimate's band (plus the dense matrix's own difference error).
      expect(Math.abs(l.value - top), `${l.layer}: ${l.value} ± ${l.spread} vs ${top}`).toBeLessThanOrEqual(l.spread + 2e-3 * Math.abs(top) + 1e-4);
      expect(l.spread, l.layer).toBeLessThan(0.05 * Math.abs(top) + 1e-3);
    }
    // The three blocks differ: a mix-up between layers would show.
    expect(new Set(expected.map((v) => v.toPrecision(2))).size).toBe(3);
    // Not the whole Hessian's top eigenvalue: the restriction is what is measured.
    const whole = symmetricEigen(dense, n).values[0];
    for (const l of layers) expect(l.value).toBeLessThanOrEqual(whole + 1e-3 * whole);

    // The same seed gives the same figures.
    const again = await layerEigenvalues(model, x, y, 3, { seed: 2 });
    expect(again).toEqual(layers);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('a layer whose Lanczos stops early says so through a wider band', async () => {
    const model = buildModel({ ...spec, name: 'mlp-narrow' });
    const { x, y } = batch(16);
    tf.dispose(tf.tidy(() => model.forward(x, CALIBRATE_CTX)));
    const short = await layerEigenvalues(model, x, y, 3, { maxIter: 2, seed: 1 });
    const long = await layerEigenvalues(model, x, y, 3, { maxIter: 40, tol: 1e-6, seed: 1 });
    const fc2 = (ls: typeof short) => ls.find((l) => l.layer === 'fc2')!;
    expect(fc2(short).converged).toBe(false);
    expect(fc2(short).spread).toBeGreaterThan(fc2(long).spread);
    // Both bands hold an eigenvalue near the well-converged value's.
    expect(fc2(short).value).toBeLessThanOrEqual(fc2(long).value + fc2(long).spread + 1e-4);
    tf.dispose([x, y]);
    model.dispose();
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('on a training session', () => {
  const ds = syntheticDataset({ height: 6, width: 6, channels: 1, classes: 4, train: 80, test: 24 });

  it('live estimates carry a finite spread, deterministic by seed, with no tensor left behind', async () => {
    const run = async () => {
      const s = new TrainingSession(ds, { model: 'mlp-narrow', steps: 4, labeled: 40, batchSize: 8, evalEvery: 0, seed: 3 });
      for (let i = 0; i < 2; i++) await s.stepOnce();
      const tracker = new SharpnessTracker('cheap');
      const before = tf.memory().numTensors;
      const first = await tracker.estimate(s);
      await s.stepOnce();
      const second = await tracker.estimate(s);
      expect(tf.memory().numTensors).toBe(before);
      const layers = await measureLayerEigenvalues(s, 32);
      expect(tf.memory().numTensors).toBe(before);
      s.dispose();
      return { first, second, layers };
    };
    const a = await run();
    for (const e of [a.first, a.second]) {
      expect(Number.isFinite(e.value) && e.value > 0).toBe(true);
      expect(Number.isFinite(e.spread) && e.spread >= 0).toBe(true);
      // Five Lanczos steps at most in the cheap mode, and the product that measures the spread.
      expect(e.iterations).toBeLessThanOrEqual(6);
    }
    expect(a.layers.samples).toBe(32);
    expect(a.layers.layers.map((l) => l.layer)).toEqual(['fc1', 'fc2', 'fc3']);
    const b = await run();
    expect([b.first.value, b.first.spread, b.second.value, b.second.spread]).toEqual([a.first.value, a.first.spread, a.second.value, a.second.spread]);
    expect(b.layers.layers).toEqual(a.layers.layers);
  });
});
