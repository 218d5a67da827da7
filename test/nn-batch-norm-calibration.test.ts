import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchNorm } from '../src/engine/nn/batch-norm';
import { ParamStore } from '../src/engine/nn/params';
import { CALIBRATE_CTX, EVAL_CTX, TRAIN_NO_STATS_CTX } from '../src/engine/models/types';
import { Rng } from '../src/engine/util/rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('BatchNorm and calibration', () => {
  it('the calibration batch starts the running averages (mean, unbiased variance); other no-stats passes leave them', () => {
    const store = new ParamStore(new Rng(0, 'init'));
    const bn = new BatchNorm(store, 'bn', 2);
    // Channel 0: 1, 3, 5, 7 (mean 4, unbiased var 20/3); channel 1: 10, 10, 10, 14 (mean 11, var 4).
    const x = tf.tensor4d([1, 10, 3, 10, 5, 10, 7, 14], [2, 2, 1, 2]);
    tf.tidy(() => void bn.forward(x, TRAIN_NO_STATS_CTX));
    expect(Array.from(bn.runningMean.dataSync())).toEqual([0, 0]);
    tf.tidy(() => void bn.forward(x, CALIBRATE_CTX));
    const mean = Array.from(bn.runningMean.dataSync());
    const variance = Array.from(bn.runningVar.dataSync());
    expect(mean[0]).toBeCloseTo(4, 5);
    expect(mean[1]).toBeCloseTo(11, 5);
    expect(variance[0]).toBeCloseTo(20 / 3, 4);
    expect(variance[1]).toBeCloseTo(4, 4);
    // Eval mode then normalises with them: the batch comes out near zero mean.
    const y = tf.tidy(() => tf.mean(bn.forward(x, EVAL_CTX), [0, 1, 2]));
    Array.from(y.dataSync()).forEach((v) => expect(Math.abs(v)).toBeLessThan(1e-5));
    tf.dispose([x, y]);
    store.dispose();
  });
});
