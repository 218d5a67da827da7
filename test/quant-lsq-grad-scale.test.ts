import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, CALIBRATE_CTX, TRAIN_CTX } from '../src/engine/models';
import { activationGradScale, weightGradScale } from '../src/engine/quant/quantizers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('LSQ gradient scales of the quantizers (Esser et al.: g = 1/sqrt(N·Qp))', () => {
  it('activations use N_F, the features of one sample, not batch × features', () => {
    // 2-bit unsigned: Qp = 3.
    expect(activationGradScale([64, 256], 2)).toBeCloseTo(1 / Math.sqrt(256 * 3), 12);
    expect(activationGradScale([1, 256], 2)).toBe(activationGradScale([64, 256], 2));
    // A conv input [B, H, W, C]: N_F = H·W·C. 4 bits: Qp = 15.
    expect(activationGradScale([8, 14, 14, 32], 4)).toBeCloseTo(1 / Math.sqrt(14 * 14 * 32 * 15), 12);
  });

  it('weights use the weight count, per output channel when the step is per channel', () => {
    // 2-bit signed: Qp = 1. A [3, 3, 16, 32] filter has 4,608 weights, 144 per output channel.
    expect(weightGradScale([3, 3, 16, 32], 2, false)).toBeCloseTo(1 / Math.sqrt(4608), 12);
    expect(weightGradScale([3, 3, 16, 32], 2, true)).toBeCloseTo(1 / Math.sqrt(144), 12);
    expect(weightGradScale([256, 10], 4, true)).toBeCloseTo(1 / Math.sqrt(256 * 7), 12);
  });

  it("in a model, an activation step's gradient grows with the batch like the loss sum does (no extra 1/√B)", () => {
    const m = buildModel({ name: 'mlp', inputShape: [4, 4, 1], numClasses: 3, quant: { wbits: 2, abits: 2, firstLastBits: 8, perChannel: false }, seed: 1 });
    const one = tf.randomNormal([1, 4, 4, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
    tf.tidy(() => void m.forward(one, CALIBRATE_CTX));
    const step = m.params.find((p) => p.name === 'fc2/in.step')!.variable;
    // Σ over the batch of a fixed linear function of the logits: B identical images give B times one image's gradient.
    const gradOf = (x: tf.Tensor4D) =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(m.forward(x, TRAIN_CTX), tf.tensor1d([1, -2, 0.5]))) as tf.Scalar, [step]);
        return grads[step.name].dataSync()[0];
      });
    const g1 = gradOf(one);
    const four = tf.tile(one, [4, 1, 1, 1]) as tf.Tensor4D;
    const g4 = gradOf(four);
    expect(Math.abs(g1)).toBeGreaterThan(1e-6);
    expect(g4 / g1).toBeCloseTo(4, 4);
    tf.dispose([one, four]);
    m.dispose();
  });
});
