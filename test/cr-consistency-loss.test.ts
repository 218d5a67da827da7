import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { consistencyLoss, type ConsistencyKind } from '../src/engine/cr/consistency-loss';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const L3 = Math.log(3);

function loss(t: number[][], s: number[][], kind: ConsistencyKind, tau?: number): number {
  return tf.tidy(() => consistencyLoss(tf.tensor2d(t), tf.tensor2d(s), kind, tau).dataSync()[0]);
}

/** Float64 reference: τ²·mean_i Σ_k p_T log(p_T/p_S), or mean_i Σ_k (p_T − p_S)². */
function softmax(z: number[], tau: number): number[] {
  const m = Math.max(...z.map((v) => v / tau));
  const e = z.map((v) => Math.exp(v / tau - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
function reference(t: number[][], s: number[][], kind: ConsistencyKind, tau: number): number {
  let sum = 0;
  t.forEach((row, i) => {
    const pT = softmax(row, tau);
    const pS = softmax(s[i], tau);
    sum += pT.reduce((acc, p, k) => acc + (kind === 'kl' ? (p > 0 ? p * Math.log(p / pS[k]) : 0) : (p - pS[k]) ** 2), 0);
  });
  return (kind === 'kl' ? tau * tau : 1) * (sum / t.length);
}

describe('consistencyLoss', () => {
  // Row 1: p_T = (½, ½), p_S = (¼, ¾). Row 2: p_T = (¾, ¼), p_S = (½, ½).
  const teacher = [
    [0, 0],
    [L3, 0],
  ];
  const studentLogits = [
    [0, L3],
    [0, 0],
  ];
  // KL row 1 = ½ln(½/¼) + ½ln(½/¾) = ½ln(4/3); row 2 = ¾ln(3/2) + ¼ln(½).
  const kl1 = 0.5 * Math.log(4 / 3);
  const kl2 = 0.75 * Math.log(1.5) + 0.25 * Math.log(0.5);

  it('KL at τ = 1 matches the hand computation, averaged over the batch', () => {
    expect(kl1).toBeCloseTo(0.1438410362, 9);
    expect(kl2).toBeCloseTo(0.1308120359, 9);
    expect(loss(teacher, studentLogits, 'kl', 1)).toBeCloseTo((kl1 + kl2) / 2, 6);
    expect(loss(teacher, studentLogits, 'kl')).toBeCloseTo((kl1 + kl2) / 2, 6);
    expect(loss([teacher[0]], [studentLogits[0]], 'kl', 1)).toBeCloseTo(kl1, 6);
  });

  it('KL at τ = 2 softens by τ and multiplies by τ²', () => {
    // Doubled logits at τ = 2 give the same probabilities as above, so the loss is exactly 4× the τ = 1 value.
    const dbl = (m: number[][]) => m.map((r) => r.map((v) => 2 * v));
    expect(loss(dbl(teacher), dbl(studentLogits), 'kl', 2)).toBeCloseTo(4 * ((kl1 + kl2) / 2), 5);
    // The original logits at τ = 2: p_T = (½,½) vs p_S = softmax(0, ln3/2) = (1/(1+√3), √3/(1+√3)); p_T = (√3/(1+√3), 1/(1+√3)) vs (½,½).
    const r3 = Math.sqrt(3);
    const a = 1 / (1 + r3);
    const b = r3 / (1 + r3);
    const row1 = 0.5 * Math.log(0.5 / a) + 0.5 * Math.log(0.5 / b);
    const row2 = b * Math.log(b / 0.5) + a * Math.log(a / 0.5);
    expect(loss(teacher, studentLogits, 'kl', 2)).toBeCloseTo(4 * ((row1 + row2) / 2), 6);
    expect(loss(teacher, studentLogits, 'kl', 2)).toBeCloseTo(reference(teacher, studentLogits, 'kl', 2), 6);
  });

  it('MSE is Σ_k (p_T − p_S)² averaged over the batch, with no τ² factor', () => {
    // Row 1: (¼)² + (¼)² = ⅛; row 2 likewise; a third row with equal logits adds 0.
    expect(loss(teacher, studentLogits, 'mse', 1)).toBeCloseTo(0.125, 7);
    expect(loss([...teacher, [1, 2]], [...studentLogits, [1, 2]], 'mse', 1)).toBeCloseTo(0.25 / 3, 7);
    const dbl = (m: number[][]) => m.map((r) => r.map((v) => 2 * v));
    expect(loss(dbl(teacher), dbl(studentLogits), 'mse', 2)).toBeCloseTo(0.125, 7);
  });

  it('matches a float64 reference on 3-class logits', () => {
    const t = [
      [1.5, -0.3, 0.2],
      [-2, 0.7, 3.1],
      [0.1, 0.1, -4],
    ];
    const s = [
      [0.4, 0.9, -1.1],
      [-1.2, 2.5, 0.3],
      [2.2, -0.6, 0.05],
    ];
    for (const kind of ['kl', 'mse'] as const) {
      for (const tau of [1, 2, 0.5]) expect(loss(t, s, kind, tau), `${kind} τ=${tau}`).toBeCloseTo(reference(t, s, kind, tau), 5);
    }
  });

  it('KL is ≥ 0, and 0 when the logits are equal', () => {
    const t = tf.randomNormal([32, 10], 0, 3, 'float32', 5) as tf.Tensor2D;
    const s = tf.randomNormal([32, 10], 0, 3, 'float32', 6) as tf.Tensor2D;
    for (const tau of [1, 2, 4]) {
      const v = tf.tidy(() => consistencyLoss(t, s, 'kl', tau).dataSync()[0]);
      expect(v).toBeGreaterThan(0);
      const same = tf.tidy(() => consistencyLoss(t, tf.clone(t), 'kl', tau).dataSync()[0]);
      expect(Math.abs(same)).toBeLessThan(1e-5);
      // Per row as well: a batch of one never goes negative.
      for (let i = 0; i < 4; i++) {
        const r = tf.tidy(() => consistencyLoss(tf.slice(t, [i, 0], [1, 10]), tf.slice(s, [i, 0], [1, 10]), 'kl', tau).dataSync()[0]);
        expect(r).toBeGreaterThanOrEqual(0);
      }
    }
    tf.dispose([t, s]);
  });

  describe('gradients', () => {
    const t = tf.tensor2d([
      [0.8, -0.4, 1.3, 0.0],
      [-1.1, 0.6, 0.2, 1.9],
      [0.3, 0.3, -0.9, 0.5],
    ]);
    const s = tf.tensor2d([
      [0.2, 0.9, -0.7, 1.1],
      [0.5, -1.3, 1.4, 0.1],
      [-0.6, 1.2, 0.4, -0.2],
    ]);

    for (const kind of ['kl', 'mse'] as const) {
      for (const tau of [1, 2]) {
        it(`${kind}, τ = ${tau}: the student gradient matches central differences`, () => {
          const g = tf.tidy(() => tf.grad((z: tf.Tensor) => consistencyLoss(t, z as tf.Tensor2D, kind, tau))(s).dataSync());
          const base = s.dataSync();
          const eps = 1e-2;
          const f = (v: Float32Array) => tf.tidy(() => consistencyLoss(t, tf.tensor2d(v, [3, 4]), kind, tau).dataSync()[0]);
          let maxErr = 0;
          let maxG = 0;
          for (let i = 0; i < base.length; i++) {
            const plus = Float32Array.from(base);
            const minus = Float32Array.from(base);
            plus[i] += eps;
            minus[i] -= eps;
            const fd = (f(plus) - f(minus)) / (2 * eps);
            maxErr = Math.max(maxErr, Math.abs(fd - g[i]));
            maxG = Math.max(maxG, Math.abs(g[i]));
          }
          // Error relative to the largest gradient component: truncation O(ε²) plus float32 round-off / ε.
          expect(maxG).toBeGreaterThan(1e-2);
          expect(maxErr / maxG).toBeLessThan(kind === 'kl' ? 1e-3 : 2e-3);
          if (kind === 'kl') {
            // Closed form: ∂/∂z_S of τ²·KL = τ·(p_S − p_T)/N.
            const tv = t.arraySync();
            const sv = s.arraySync();
            for (let r = 0; r < 3; r++) {
              const pT = softmax(tv[r], tau);
              const pS = softmax(sv[r], tau);
              for (let k = 0; k < 4; k++) expect(g[r * 4 + k]).toBeCloseTo((tau * (pS[k] - pT[k])) / 3, 6);
            }
          }
        });

        it(`${kind}, τ = ${tau}: no gradient reaches the teacher logits`, () => {
          const g = tf.tidy(() => tf.grad((z: tf.Tensor) => consistencyLoss(z as tf.Tensor2D, s, kind, tau))(t).dataSync());
          expect(Array.from(g)).toEqual(new Array(12).fill(0));
          // Both at once: the student part is non-zero, the teacher part zero.
          const [gt, gs] = tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => consistencyLoss(a as tf.Tensor2D, b as tf.Tensor2D, kind, tau))([t, s]).map((x) => x.dataSync()));
          expect(Array.from(gt).every((v) => v === 0)).toBe(true);
          expect(Array.from(gs).some((v) => Math.abs(v) > 1e-3)).toBe(true);
        });
      }
    }
  });
});
