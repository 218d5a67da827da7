/**
 * The pattern tape: a recorded forward pass replays to the same logits, and the Hessian products it gives on a
 * quantized model are symmetric (finite differences without it pick up rounding and gating jumps).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelHvp } from '../src/engine/hessian/hvp';
import { buildModel, CALIBRATE_CTX, EVAL_CTX, type ModelName } from '../src/engine/models';
import { PatternTape } from '../src/engine/nn/pattern-tape';
import { maxPool2 } from '../src/engine/nn/piecewise';
import { Rng } from '../src/engine/util/rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const QUANT = { wbits: 2, abits: 2, firstLastBits: 8, perChannel: false };

function calibrated(name: ModelName, shape: [number, number, number]) {
  const model = buildModel({ name, inputShape: shape, numClasses: 3, quant: QUANT, seed: 1 });
  const x = tf.randomNormal([4, ...shape], 0, 1, 'float32', 3) as tf.Tensor4D;
  tf.tidy(() => {
    model.forward(x, CALIBRATE_CTX);
  });
  return { model, x };
}

describe('pattern tape', () => {
  for (const [name, shape] of [
    ['mlp', [8, 8, 1]],
    ['cnn-small', [8, 8, 1]],
    ['resnet20', [8, 8, 3]],
  ] as [ModelName, [number, number, number]][]) {
    it(`${name} W2A2: replaying the recorded pass gives the same logits`, () => {
      const { model, x } = calibrated(name, shape);
      const tape = new PatternTape();
      const plain = tf.tidy(() => model.forward(x, EVAL_CTX));
      const recorded = tf.tidy(() => model.forward(x, { ...EVAL_CTX, tape }));
      tape.replay();
      const replayed = tf.tidy(() => model.forward(x, { ...EVAL_CTX, tape }));
      expect(Array.from(recorded.dataSync())).toEqual(Array.from(plain.dataSync()));
      const r = replayed.dataSync();
      plain.dataSync().forEach((v, i) => expect(r[i]).toBeCloseTo(v, 4));
      tf.dispose([plain, recorded, replayed, x]);
      tape.dispose();
      model.dispose();
    });
  }

  it('max pooling replays the first maximum of each window, ties included', () => {
    // The first window holds 1, 2 / 2, 0: a tie, and the first 2 in row-major order (x[0,1]) wins, as on cpu.
    const x = tf.tensor4d([1, 2, 3, 0, 2, 0, 8, 8, 9, 9, 9, 9, 0, 0, 0, 1], [1, 4, 4, 1]);
    const tape = new PatternTape();
    const recorded = maxPool2(x, { ...EVAL_CTX, tape });
    tape.replay();
    const shifted = tf.add(x, tf.tensor4d([0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [1, 4, 4, 1])) as tf.Tensor4D;
    const replayed = maxPool2(shifted, { ...EVAL_CTX, tape });
    expect(Array.from(recorded.dataSync())).toEqual(Array.from(tf.maxPool(x, 2, 2, 'valid').dataSync()));
    // The raised x[1,0] (now 2.5) does not take over: the recorded winner x[0,1] still gives 2.
    expect(replayed.dataSync()[0]).toBe(2);
    expect(Array.from(replayed.dataSync()).slice(1)).toEqual([8, 9, 9]);
    tape.dispose();
  });

  it('cnn-small W2A2: products are symmetric, uᵀ(Hv) = vᵀ(Hu) within 1e-2 of their scale', async () => {
    const { model, x } = calibrated('cnn-small', [8, 8, 1]);
    const y = tf.tensor1d([0, 1, 2, 1], 'int32');
    const h = modelHvp(model, x, y, 3);
    const rng = new Rng(5, 'test');
    const rand = () => {
      const v = Float32Array.from({ length: h.dim }, () => rng.normal());
      const n = Math.hypot(...v);
      return v.map((e) => e / n);
    };
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, e, i) => s + e * b[i], 0);
    for (let trial = 0; trial < 2; trial++) {
      const u = rand();
      const v = rand();
      const [hu, hv] = [await h.hvp(u), await h.hvp(v)];
      const scale = Math.sqrt(Math.abs(dot(u, hu) * dot(v, hv)));
      expect(Math.abs(dot(u, hv) - dot(v, hu))).toBeLessThan(1e-2 * scale);
    }
    h.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('includeSteps', () => {
  it('takes step sizes into the operator; held constant by the recorded rounding, their rows are zero', async () => {
    const { model, x } = calibrated('mlp', [8, 8, 1]);
    const y = tf.tensor1d([0, 1, 2, 1], 'int32');
    const h = modelHvp(model, x, y, 3, { includeSteps: true });
    const v = new Float32Array(h.dim).fill(1 / Math.sqrt(h.dim));
    const hv = await h.hvp(v);
    expect(hv.every(Number.isFinite)).toBe(true);
    // Step sizes come last in each layer's parameter list; their entries of Hv are exactly zero.
    let offset = 0;
    for (const p of model.params) {
      const n = p.variable.size;
      if (p.kind === 'step') expect(Array.from(hv.subarray(offset, offset + n)).every((e) => e === 0)).toBe(true);
      offset += n;
    }
    h.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });
});
