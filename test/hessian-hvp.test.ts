import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topEigenvalues } from '../src/engine/hessian/eigen';
import { finiteDifferenceHvp, flattenParams, hessianParams, modelHvp } from '../src/engine/hessian/hvp';
import { symmetricEigen } from '../src/engine/hessian/symmetric-eigen';
import { buildModel, CALIBRATE_CTX, EVAL_CTX, type Model, type ModelName, type ModelSpec } from '../src/engine/models';
import { Rng } from '../src/engine/util/rng';
import { dot, matVec, norm, randomSymmetric } from './helpers/dense-linear-algebra';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// ---------------------------------------------------------------------------------------------------------------
// Helpers

/** ‖a − b‖ / ‖b‖ */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += (a[i] - b[i]) ** 2;
  return Math.sqrt(d) / norm(b);
}

function randomUnit(dim: number, rng: Rng): Float32Array {
  const v = Float64Array.from({ length: dim }, () => rng.normal());
  const l = norm(v);
  return Float32Array.from(v, (x) => x / l);
}

function snapshot(model: Model): Map<string, number[]> {
  const m = new Map<string, number[]>();
  model.params.forEach((p) => m.set(`param:${p.name}`, Array.from(p.variable.dataSync())));
  model.buffers.forEach((b) => m.set(`buffer:${b.name}`, Array.from(b.variable.dataSync())));
  return m;
}

function randomBatch(n: number, shape: [number, number, number], classes: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const rng = new Rng(seed, 'test:batch');
  const size = shape[0] * shape[1] * shape[2];
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  const values = new Float32Array(n * size);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < size; p++) values[i * size + p] = rng.normal() * 0.5 + (p % classes === labels[i] ? 1 : 0); // learnable
  }
  return { x: tf.tensor4d(values, [n, ...shape]), y: tf.tensor1d(labels, 'int32') };
}

const W2A2 = { wbits: 2, abits: 2, firstLastBits: 8, perChannel: false };
const FP32 = { wbits: 32, abits: 32, firstLastBits: 32, perChannel: false };
const spec = (name: ModelName, quant: ModelSpec['quant'], seed = 0): ModelSpec => ({ name, inputShape: [8, 8, 1], numClasses: 3, quant, seed });

// ---------------------------------------------------------------------------------------------------------------

describe('finiteDifferenceHvp on a quadratic', () => {
  const d = 12;
  const rng = new Rng(1, 'test:quadratic');
  const a = randomSymmetric(d, rng);
  const b = Float64Array.from({ length: d }, () => rng.normal());
  const w0 = Float32Array.from({ length: d }, () => rng.normal());

  /** L(w) = ½ wᵀAw + bᵀw, w the concatenation of the variables flattened. */
  const quadratic = (vars: tf.Variable[]) => () =>
    tf.tidy(() => {
      const w = tf.concat(vars.map((v) => tf.reshape(v, [-1])));
      const aw = tf.matMul(tf.tensor2d(Float32Array.from(a), [d, d]), tf.reshape(w, [d, 1]));
      return tf.add(tf.mul(0.5, tf.sum(tf.mul(tf.reshape(aw, [-1]), w))), tf.sum(tf.mul(tf.tensor1d(Float32Array.from(b)), w))) as tf.Scalar;
    });

  it('gives Hv = Av for one variable', async () => {
    const w = tf.variable(tf.tensor1d(w0));
    const h = finiteDifferenceHvp([w], quadratic([w]));
    expect(h.dim).toBe(d);
    const vr = new Rng(2, 'test:v');
    for (let t = 0; t < 5; t++) {
      const v = randomUnit(d, vr);
      const hv = await h.hvp(v);
      expect(hv).toBeInstanceOf(Float32Array);
      expect(relErr(hv, matVec(a, d, v))).toBeLessThan(1e-3);
    }
    expect(h.gradients).toBe(10);
    // linear in v: a scaled vector gives a scaled product
    const v = randomUnit(d, vr);
    const h1 = await h.hvp(v);
    const h3 = await h.hvp(v.map((x) => 3 * x));
    expect(relErr(h3, Array.from(h1, (x) => 3 * x))).toBeLessThan(1e-3);
    await expect(h.hvp(new Float32Array(d + 1))).rejects.toThrow(RangeError);
    expect(Array.from(w.dataSync())).toEqual(Array.from(w0));
    h.dispose();
    w.dispose();
  });

  it('gives Hv = Av with w split across two variables of different shapes (row-major flattening)', async () => {
    const w1 = tf.variable(tf.tensor2d(w0.subarray(0, 8), [2, 4]));
    const w2 = tf.variable(tf.tensor3d(w0.subarray(8), [2, 1, 2]));
    expect(Array.from(await flattenParams([w1, w2]))).toEqual(Array.from(w0));
    const h = finiteDifferenceHvp([w1, w2], quadratic([w1, w2]));
    expect(h.dim).toBe(d);
    const vr = new Rng(3, 'test:v');
    for (let t = 0; t < 5; t++) {
      const v = randomUnit(d, vr);
      expect(relErr(await h.hvp(v), matVec(a, d, v))).toBeLessThan(1e-3);
    }
    // basis vectors: column j of A
    for (const j of [0, 7, 8, 11]) {
      const e = new Float32Array(d);
      e[j] = 1;
      const col = Float64Array.from({ length: d }, (_, i) => a[i * d + j]);
      expect(relErr(await h.hvp(e), col)).toBeLessThan(1e-3);
    }
    expect(Array.from(await flattenParams([w1, w2]))).toEqual(Array.from(w0));
    h.dispose();
    tf.dispose([w1, w2]);
  });

  it('scales the difference step with the weights (large weights still give Av)', async () => {
    const w = tf.variable(tf.tensor1d(w0.map((x) => x * 300)));
    const h = finiteDifferenceHvp([w], quadratic([w]));
    const v = randomUnit(d, new Rng(4, 'test:v'));
    expect(relErr(await h.hvp(v), matVec(a, d, v))).toBeLessThan(1e-2);
    h.dispose();
    w.dispose();
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('finiteDifferenceHvp on a linear softmax model', () => {
  const d = 6;
  const c = 4;
  const n = 10;
  const rng = new Rng(5, 'test:softmax');
  const X = Float64Array.from({ length: n * d }, () => rng.normal());
  const W0 = Float64Array.from({ length: d * c }, () => rng.normal() * 0.7);
  const labels = Int32Array.from({ length: n }, () => rng.int(c));

  /** P = softmax(XW) in float64, n×c. */
  function probs(): Float64Array {
    const p = new Float64Array(n * c);
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let j = 0; j < c; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += X[i * d + k] * W0[k * c + j];
        p[i * c + j] = s;
        max = Math.max(max, s);
      }
      let z = 0;
      for (let j = 0; j < c; j++) z += p[i * c + j] = Math.exp(p[i * c + j] - max);
      for (let j = 0; j < c; j++) p[i * c + j] /= z;
    }
    return p;
  }
  const P = probs();

  /** Exact Hv = (1/n)·Xᵀ[(Z∘P) − P∘rowsum(Z∘P)], Z = XV; V and the result d×c row-major. */
  function exactHvp(v: ArrayLike<number>): Float64Array {
    const out = new Float64Array(d * c);
    for (let i = 0; i < n; i++) {
      const zp = new Float64Array(c);
      let rowsum = 0;
      for (let j = 0; j < c; j++) {
        let z = 0;
        for (let k = 0; k < d; k++) z += X[i * d + k] * v[k * c + j];
        zp[j] = z * P[i * c + j];
        rowsum += zp[j];
      }
      for (let j = 0; j < c; j++) {
        const g = zp[j] - P[i * c + j] * rowsum;
        for (let k = 0; k < d; k++) out[k * c + j] += (X[i * d + k] * g) / n;
      }
    }
    return out;
  }

  function setup() {
    const W = tf.variable(tf.tensor2d(Float32Array.from(W0), [d, c]));
    const x = tf.tensor2d(Float32Array.from(X), [n, d]);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), c);
    const loss = () => tf.tidy(() => tf.mean(tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(tf.matMul(x, W))), 1))) as tf.Scalar);
    const h = finiteDifferenceHvp([W], loss);
    return { h, W, dispose: () => (h.dispose(), tf.dispose([W, x, y])) };
  }

  it('matches the closed-form Hessian-vector product', async () => {
    const { h, W, dispose } = setup();
    expect(h.dim).toBe(d * c);
    const vr = new Rng(6, 'test:v');
    for (let t = 0; t < 6; t++) {
      const v = randomUnit(d * c, vr);
      expect(relErr(await h.hvp(v), exactHvp(v))).toBeLessThan(2e-3);
    }
    // a vector touching only W[2][1] (flat index 2·c + 1): picks out that column of the Hessian
    const e = new Float32Array(d * c);
    e[2 * c + 1] = 1;
    expect(relErr(await h.hvp(e), exactHvp(e))).toBeLessThan(2e-3);
    expect(Array.from(W.dataSync())).toEqual(Array.from(Float32Array.from(W0)));
    dispose();
  });

  it('finds the same top eigenvalue as the explicit Hessian', async () => {
    const dim = d * c;
    const H = new Float64Array(dim * dim);
    for (let col = 0; col < dim; col++) {
      const e = new Float64Array(dim);
      e[col] = 1;
      const hc = exactHvp(e);
      for (let row = 0; row < dim; row++) H[row * dim + col] = hc[row];
    }
    for (let i = 0; i < dim; i++) for (let j = 0; j < i; j++) expect(Math.abs(H[i * dim + j] - H[j * dim + i])).toBeLessThan(1e-12);
    const exact = symmetricEigen(H, dim);
    expect(exact.values[dim - 1]).toBeGreaterThan(-1e-10); // PSD (softmax cross-entropy is convex in W)
    const { h, dispose } = setup();
    const r = await topEigenvalues(h.hvp, dim, 2, { seed: 1 });
    expect(Math.abs(r.values[0] - exact.values[0])).toBeLessThan(1e-3 * exact.values[0]);
    expect(Math.abs(r.values[1] - exact.values[1])).toBeLessThan(1e-2 * exact.values[0]);
    expect(Math.abs(dot(r.vector, exact.vectors[0]))).toBeGreaterThan(0.99);
    expect(h.gradients).toBe(2 * r.iterations);
    dispose();
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('modelHvp', () => {
  // cnn-small products are slow on the TF.js cpu backend (conv2DBackpropFilter reads element by element: ~2 s per
  // product at batch 2), so the batch is small and the products are counted: 3 for the weights, 5 for the tensors.
  it.each(['mlp', 'cnn-small'] as const)('leaves every parameter and buffer of %s bit-exact, and leaks no tensors', async (name) => {
    const model = buildModel(spec(name, W2A2));
    const { x, y } = randomBatch(2, [8, 8, 1], 3, 1);
    tf.dispose(tf.tidy(() => model.forward(x, CALIBRATE_CTX)));
    const before = snapshot(model);
    const logitsBefore = tf.tidy(() => Array.from(model.forward(x, EVAL_CTX).dataSync()));

    const count0 = tf.memory().numTensors;
    const h = modelHvp(model, x, y, 3);
    const count1 = tf.memory().numTensors;
    expect(count1).toBeGreaterThan(count0); // the saved originals
    const vr = new Rng(7, 'test:v');
    for (let t = 0; t < 3; t++) {
      const hv = await h.hvp(randomUnit(h.dim, vr));
      expect(hv).toHaveLength(h.dim);
      expect(hv.every(Number.isFinite)).toBe(true);
      expect(norm(hv)).toBeGreaterThan(0);
    }
    const after = snapshot(model);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [key, values] of before) expect(after.get(key), key).toEqual(values);
    expect(tf.tidy(() => Array.from(model.forward(x, EVAL_CTX).dataSync()))).toEqual(logitsBefore);
    expect(tf.memory().numTensors).toBe(count1);

    for (let t = 0; t < 2; t++) await h.hvp(randomUnit(h.dim, vr));
    expect(h.gradients).toBe(10);
    expect(tf.memory().numTensors).toBe(count1); // the same after 5 products
    h.dispose();
    expect(tf.memory().numTensors).toBe(count0);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('restores the weights even when a product fails part-way', async () => {
    const w = tf.variable(tf.tensor1d([1, 2, 3]));
    let calls = 0;
    const h = finiteDifferenceHvp([w], () => {
      if (++calls === 2) throw new Error('boom');
      return tf.sum(tf.square(w)) as tf.Scalar;
    });
    await expect(h.hvp(Float32Array.from([1, 0, 0]))).rejects.toThrow('boom');
    expect(Array.from(w.dataSync())).toEqual([1, 2, 3]);
    h.dispose();
    w.dispose();
  });

  it('takes the Hessian over every parameter but the step sizes, unless asked', () => {
    for (const name of ['mlp', 'cnn-small'] as const) {
      const model = buildModel(spec(name, W2A2));
      const { x, y } = randomBatch(2, [8, 8, 1], 3, 2);
      const steps = model.params.filter((p) => p.name.endsWith('.step'));
      expect(steps.length).toBeGreaterThan(0);
      const without = hessianParams(model);
      const withSteps = hessianParams(model, true);
      expect(without.some((p) => p.name.endsWith('.step') || p.kind === 'step')).toBe(false);
      expect(without).toHaveLength(model.params.length - steps.length);
      expect(withSteps.map((p) => p.name)).toEqual(model.params.map((p) => p.name));
      const size = (ps: readonly { variable: tf.Variable }[]) => ps.reduce((s, p) => s + p.variable.size, 0);
      const h = modelHvp(model, x, y, 3);
      const hs = modelHvp(model, x, y, 3, { includeSteps: true });
      expect(h.dim).toBe(size(without));
      expect(hs.dim).toBe(size(withSteps));
      expect(hs.dim - h.dim).toBe(size(steps));
      tf.dispose([x, y]);
      h.dispose();
      hs.dispose();
      model.dispose();
    }
    // fp32: no steps at all
    const fp = buildModel(spec('mlp', FP32));
    expect(hessianParams(fp, true).map((p) => p.name)).toEqual(hessianParams(fp).map((p) => p.name));
    fp.dispose();
  });
});

// ---------------------------------------------------------------------------------------------------------------

/**
 * A float64 reference of the fp32 mlp (input → 256 → 256 → classes, ReLU, mean softmax cross-entropy): its gradient
 * over the flat parameter vector [fc1/w, fc1/b, fc2/w, fc2/b, fc3/w, fc3/b] (row-major), with the ReLU masks either
 * computed or held fixed. With the masks of the base point held fixed the loss is smooth, and a float64 central
 * difference of this gradient gives the exact (almost-everywhere) Hessian-vector product.
 */
class ReferenceMlp {
  private readonly offsets: number[];
  readonly masks: Uint8Array[];

  constructor(
    readonly p: Float64Array,
    readonly x: Float64Array,
    readonly labels: Int32Array,
    readonly widths: [number, number, number, number],
  ) {
    const [i0, h1, h2, c] = widths;
    this.offsets = [0, i0 * h1, i0 * h1 + h1, i0 * h1 + h1 + h1 * h2, i0 * h1 + h1 + h1 * h2 + h2, i0 * h1 + h1 + h1 * h2 + h2 + h2 * c];
    expect(p.length).toBe(this.offsets[5] + c);
    this.masks = [new Uint8Array(labels.length * h1), new Uint8Array(labels.length * h2)];
    this.gradient(p, null, this.masks);
  }

  gradient(p: Float64Array, fixed: Uint8Array[] | null, record?: Uint8Array[]): Float64Array {
    const [i0, h1, h2, c] = this.widths;
    const o = this.offsets;
    const n = this.labels.length;
    const g = new Float64Array(p.length);
    for (let s = 0; s < n; s++) {
      const x = this.x.subarray(s * i0, (s + 1) * i0);
      const layer = (input: Float64Array, wo: number, bo: number, units: number, mask: number): { a: Float64Array; m: Uint8Array } => {
        const a = new Float64Array(units);
        const m = new Uint8Array(units);
        for (let j = 0; j < units; j++) {
          let z = p[bo + j];
          for (let k = 0; k < input.length; k++) z += input[k] * p[wo + k * units + j];
          m[j] = fixed ? fixed[mask][s * units + j] : z > 0 ? 1 : 0;
          a[j] = m[j] ? z : 0;
        }
        record?.[mask].set(m, s * units);
        return { a, m };
      };
      const l1 = layer(x, o[0], o[1], h1, 0);
      const l2 = layer(l1.a, o[2], o[3], h2, 1);
      const logits = new Float64Array(c);
      let max = -Infinity;
      for (let j = 0; j < c; j++) {
        let z = p[o[5] + j];
        for (let k = 0; k < h2; k++) z += l2.a[k] * p[o[4] + k * c + j];
        logits[j] = z;
        max = Math.max(max, z);
      }
      let sum = 0;
      for (let j = 0; j < c; j++) sum += logits[j] = Math.exp(logits[j] - max);
      const d3 = Float64Array.from(logits, (e, j) => (e / sum - (j === this.labels[s] ? 1 : 0)) / n);
      const back = (input: Float64Array, delta: Float64Array, wo: number, bo: number, mask: Uint8Array | null): Float64Array => {
        const units = delta.length;
        const down = new Float64Array(input.length);
        for (let k = 0; k < input.length; k++) {
          let t = 0;
          for (let j = 0; j < units; j++) {
            g[wo + k * units + j] += input[k] * delta[j];
            t += p[wo + k * units + j] * delta[j];
          }
          down[k] = mask && !mask[k] ? 0 : t;
        }
        for (let j = 0; j < units; j++) g[bo + j] += delta[j];
        return down;
      };
      const d2 = back(l2.a, d3, o[4], o[5], l2.m);
      const d1 = back(l1.a, d2, o[2], o[3], l1.m);
      back(x, d1, o[0], o[1], null);
    }
    return g;
  }

  /** The exact Hessian-vector product at p (ReLU pattern of p held fixed). */
  hvp(v: ArrayLike<number>): Float64Array {
    const e = 1e-6;
    const plus = this.gradient(this.p.map((w, i) => w + e * v[i]), this.masks);
    const minus = this.gradient(this.p.map((w, i) => w - e * v[i]), this.masks);
    return plus.map((a, i) => (a - minus[i]) / (2 * e));
  }
}

describe('modelHvp on a partly trained fp32 mlp (ReLU)', () => {
  let model: Model;
  let x: tf.Tensor4D;
  let y: tf.Tensor1D;
  let ref: ReferenceMlp;
  const n = 16;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    model = buildModel(spec('mlp', FP32, 3));
    ({ x, y } = randomBatch(n, [8, 8, 1], 3, 3));
    const vars = model.params.map((p) => p.variable);
    const opt = tf.train.sgd(0.02);
    const lossOf = () => tf.losses.softmaxCrossEntropy(tf.oneHot(y, 3), model.forward(x, EVAL_CTX)) as tf.Scalar;
    const loss0 = tf.tidy(() => lossOf().dataSync()[0]);
    for (let i = 0; i < 5; i++) tf.dispose(opt.minimize(lossOf, true, vars) ?? []);
    opt.dispose();
    const loss1 = tf.tidy(() => lossOf().dataSync()[0]);
    expect(loss1).toBeLessThan(loss0 / 2);
    expect(loss1).toBeGreaterThan(0.1); // trained a little, far from fitted
    expect(hessianParams(model).map((p) => p.name)).toEqual(['fc1/w', 'fc1/b', 'fc2/w', 'fc2/b', 'fc3/w', 'fc3/b']);
    ref = new ReferenceMlp(Float64Array.from(await flattenParams(vars)), Float64Array.from(await x.data()), Int32Array.from(await y.data()), [64, 256, 256, 3]);
    // the reference computes the same loss: its gradient agrees with TF.js's
    const g = tf.tidy(() => {
      const { grads } = tf.variableGrads(lossOf, vars);
      return tf.concat(vars.map((v) => tf.reshape(grads[v.name], [-1])));
    });
    expect(relErr(ref.gradient(ref.p, null), await g.data())).toBeLessThan(1e-4);
    g.dispose();
  });

  afterAll(() => {
    tf.dispose([x, y]);
    model.dispose();
  });

  function pair(seed: number, dim: number): [Float32Array, Float32Array] {
    const r = new Rng(seed, 'test:pair');
    return [randomUnit(dim, r), randomUnit(dim, r)];
  }

  /** |uᵀHv − vᵀHu| against sqrt(|uᵀHu|·|vᵀHv|), the Cauchy–Schwarz scale of uᵀHv (random u, v make uᵀHv itself small). */
  function asymmetry(u: Float32Array, v: Float32Array, hu: ArrayLike<number>, hv: ArrayLike<number>): number {
    return Math.abs(dot(u, hv) - dot(v, hu)) / Math.sqrt(Math.abs(dot(u, hu) * dot(v, hv)));
  }

  it('the float64 reference is symmetric (sanity check of the reference)', () => {
    const [u, v] = pair(1, ref.p.length);
    expect(asymmetry(u, v, ref.hvp(u), ref.hvp(v))).toBeLessThan(1e-6);
  });

  it('with a small difference step (epsilon 1e-4) matches the exact product and is symmetric', async () => {
    const h = modelHvp(model, x, y, 3, { epsilon: 1e-4 });
    expect(h.dim).toBe(ref.p.length);
    for (const seed of [1, 2]) {
      const [u, v] = pair(seed, h.dim);
      const hu = await h.hvp(u);
      const hv = await h.hvp(v);
      expect(relErr(hu, ref.hvp(u))).toBeLessThan(5e-2);
      expect(relErr(hv, ref.hvp(v))).toBeLessThan(5e-2);
      expect(asymmetry(u, v, hu, hv)).toBeLessThan(5e-2);
    }
    h.dispose();
  });

  // BUG (src/engine/hessian/hvp.ts, default `epsilon ?? 1e-3`): the ±εv step flips ReLU units of the batch; each flip
  // adds a gradient jump divided by 2ε, and the "Hessian" products come out wrong by factors of 1 to ~170 and clearly
  // asymmetric. These two tests state the expected behaviour and are marked as known failures until that is fixed.
  it('with the default epsilon and the recorded pattern, uᵀ(Hv) ≈ vᵀ(Hu) within 1e-2', async () => {
    const h = modelHvp(model, x, y, 3);
    try {
      for (const seed of [1, 2, 3]) {
        const [u, v] = pair(seed, h.dim);
        expect(asymmetry(u, v, await h.hvp(u), await h.hvp(v))).toBeLessThan(1e-2);
      }
    } finally {
      h.dispose();
    }
  });

  it('with the default epsilon and the recorded pattern, Hv matches the exact product within 5e-2', async () => {
    const h = modelHvp(model, x, y, 3);
    try {
      for (const seed of [1, 2, 3]) {
        const [u] = pair(seed, h.dim);
        expect(relErr(await h.hvp(u), ref.hvp(u))).toBeLessThan(5e-2);
      }
    } finally {
      h.dispose();
    }
  });
});
