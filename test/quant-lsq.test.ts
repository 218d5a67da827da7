import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultGradScale, lsqFakeQuant, lsqInitialStep, quantRange } from '../src/engine/quant/lsq';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Forward value and both gradients of L = Σ dy·q(x, s). */
function run(x: number[], xShape: number[], s: number[], sShape: number[], dy: number[], bits: number, signed: boolean, gradScale?: number) {
  const xt = tf.tensor(x, xShape);
  const st = tf.tensor(s, sShape);
  const dyt = tf.tensor(dy, xShape);
  const q = (a: tf.Tensor, b: tf.Tensor) => lsqFakeQuant(a, b, { bits, signed, gradScale });
  const y = q(xt, st);
  const [dx, ds] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(q(a, b), dyt)))([xt, st]);
  return { y: Array.from(y.dataSync()), dx: Array.from(dx.dataSync()), ds: Array.from(ds.dataSync()), dsShape: ds.shape };
}

function close(actual: number[], expected: number[], tol = 1e-5) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(a, `index ${i}`).toBeCloseTo(expected[i], -Math.log10(tol)));
}

describe('quantRange', () => {
  it('gives the signed and unsigned integer ranges', () => {
    expect(quantRange(2, true)).toEqual({ qn: 2, qp: 1 });
    expect(quantRange(4, true)).toEqual({ qn: 8, qp: 7 });
    expect(quantRange(2, false)).toEqual({ qn: 0, qp: 3 });
    expect(quantRange(4, false)).toEqual({ qn: 0, qp: 15 });
    expect(quantRange(8, true)).toEqual({ qn: 128, qp: 127 });
  });
});

describe('lsqFakeQuant', () => {
  it('signed 2 bits, scalar step: values, STE mask and step gradient inside, at the edge, below and above', () => {
    // s = 0.5 → v = x/s = [-4, -2, -1.8, -0.6, 0.4, 0.8, 1.4, 2]; range [-2, 1].
    const x = [-2.0, -1.0, -0.9, -0.3, 0.2, 0.4, 0.7, 1.0];
    const dy = [1, 2, 3, 4, 5, 6, 7, 8];
    const r = run(x, [8], [0.5], [], dy, 2, true);
    close(r.y, [-1, -1, -1, -0.5, 0, 0.5, 0.5, 0.5]);
    // v = -2 sits on the lower bound: inside, gradient passes.
    close(r.dx, [0, 2, 3, 4, 5, 6, 0, 0]);
    // Per element: below → −Qn = −2; inside → round(v) − v; above → Qp = 1.
    const dsElem = [-2, 0, -0.2, -0.4, -0.4, 0.2, 1, 1];
    const expected = dsElem.reduce((a, e, i) => a + e * dy[i], 0) / Math.sqrt(8 * 1);
    expect(r.dsShape).toEqual([]);
    close(r.ds, [expected]);
  });

  it('unsigned 4 bits, scalar step', () => {
    // s = 0.1 → v = [-0.5, 0, 3.3, 7.7, 12, 16, 20]; range [0, 15].
    const x = [-0.05, 0.0, 0.33, 0.77, 1.2, 1.6, 2.0];
    const dy = [1, 1, 1, 1, 1, 1, 1];
    const r = run(x, [7], [0.1], [], dy, 4, false);
    close(r.y, [0, 0, 0.3, 0.8, 1.2, 1.5, 1.5]);
    close(r.dx, [0, 1, 1, 1, 1, 0, 0]);
    // below → −Qn = 0; 0 → 0; 3.3 → −0.3; 7.7 → 0.3; 12 → 0; above → 15 twice.
    close(r.ds, [30 / Math.sqrt(7 * 15)], 1e-4);
  });

  it('unsigned 2 bits, scalar step', () => {
    const x = [-1, 0.4, 1.6, 2.2, 3.7];
    const r = run(x, [5], [1], [], [1, 1, 1, 1, 1], 2, false);
    close(r.y, [0, 0, 2, 2, 3]);
    close(r.dx, [0, 1, 1, 1, 0]);
    close(r.ds, [(0 - 0.4 + 0.4 - 0.2 + 3) / Math.sqrt(5 * 3)]);
  });

  it('signed 4 bits, per-channel step: the step gradient is summed per channel', () => {
    // Dense weights [in = 2, out = 3], one step per output channel.
    const x = [0.3, -0.6, 9.0, -5.0, 0.1, -2.2];
    const r = run(x, [2, 3], [0.5, 0.25, 1.0], [3], [1, 1, 1, 1, 1, 1], 4, true);
    close(r.y, [0.5, -0.5, 7, -4, 0, -2]);
    close(r.dx, [1, 1, 0, 0, 1, 1]);
    // col0: v = 0.6 → 0.4, v = −10 → −8; col1: −2.4 → 0.4, 0.4 → −0.4; col2: 9 → 7 (above), −2.2 → 0.2.
    expect(r.dsShape).toEqual([3]);
    close(r.ds, [-7.6, 0, 7.2].map((v) => v / Math.sqrt(6 * 7)));
  });

  it('per-channel step on a conv filter [kh, kw, in, out]', () => {
    const x = [0.1, -0.3, 0.26, 0.9, -0.1, 0.3, -0.26, -0.9];
    // shape [1, 2, 2, 2]: channel 0 gets x[0], x[2], x[4], x[6]; channel 1 the odd ones.
    const r = run(x, [1, 2, 2, 2], [0.1, 0.2], [2], [1, 1, 1, 1, 1, 1, 1, 1], 2, true);
    // ch0: v = 1, 2.6, −1, −2.6 → clip [−2, 1] → 1, 1, −1, −2. ch1: v = −1.5, 4.5, 1.5, −4.5 → −1.5, 1, 1, −2.
    // round(−1.5) is −2 (ties to even).
    close(r.y, [0.1, -0.4, 0.1, 0.2, -0.1, 0.2, -0.2, -0.4]);
    close(r.dx, [1, 1, 0, 0, 1, 0, 0, 0]);
    // ch0: 0 (v = 1 inside), 1 (above), 0, −2 (below). ch1: −2 − (−1.5) = −0.5, 1 (above), 1 (above), −2 (below).
    close(r.ds, [(0 + 1 + 0 - 2) / Math.sqrt(8 * 1), (-0.5 + 1 + 1 - 2) / Math.sqrt(8 * 1)]);
  });

  it('uses a given gradient scale instead of the default', () => {
    const r = run([0.3, 2.0], [2], [1], [], [1, 1], 4, true, 0.5);
    // v = 0.3 → round 0 → −0.3; v = 2 inside → 0.
    close(r.ds, [-0.15]);
  });

  it('default gradient scale is 1/sqrt(N·Qp)', () => {
    expect(defaultGradScale(100, 7)).toBeCloseTo(1 / Math.sqrt(700), 10);
  });

  it('rejects bit widths out of range', () => {
    expect(() => lsqFakeQuant(tf.scalar(1), tf.scalar(1), { bits: 0, signed: true })).toThrow(/bits/);
  });
});

describe('lsqInitialStep', () => {
  it('is 2·mean|v|/sqrt(Qp) per tensor', () => {
    const s = lsqInitialStep(tf.tensor([1, -2, 3, -4]), 4, true);
    expect(s.shape).toEqual([]);
    close(Array.from(s.dataSync()), [5 / Math.sqrt(7)]);
  });

  it('is taken per output channel (last axis)', () => {
    const s = lsqInitialStep(tf.tensor([1, -2, 3, -4], [2, 2]), 4, true, true);
    expect(s.shape).toEqual([2]);
    close(Array.from(s.dataSync()), [4 / Math.sqrt(7), 6 / Math.sqrt(7)]);
  });

  it('uses the unsigned range for activations', () => {
    const s = lsqInitialStep(tf.tensor([0, 1, 2, 5]), 2, false);
    close(Array.from(s.dataSync()), [(2 * 2) / Math.sqrt(3)]);
  });
});
