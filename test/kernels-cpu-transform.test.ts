import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/engine/backend/select';
import { augmentBatch } from '../src/engine/augment/augment';
import { Rng } from '../src/engine/util/rng';

beforeAll(async () => {
  expect((await initBackend('cpu')).name).toBe('cpu');
});

describe('Transform on the cpu backend', () => {
  it('moves every image of a batch, not only the first (TF.js 4.22 returns after image 0)', () => {
    // Three 1×4 images; each shifted right by one pixel (input x = output x − 1), constant fill 0.
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [3, 1, 4, 1]);
    const shift = tf.tensor2d([1, 0, -1, 0, 1, 0, 0, 0], [1, 8]);
    const out = tf.image.transform(x, shift, 'nearest', 'constant', 0);
    expect(Array.from(out.dataSync())).toEqual([0, 1, 2, 3, 0, 5, 6, 7, 0, 9, 10, 11]);
    // One transform per image: a flip for the second.
    const per = tf.tensor2d([1, 0, 0, 0, 1, 0, 0, 0, -1, 0, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0], [3, 8]);
    expect(Array.from(tf.image.transform(x, per, 'nearest', 'constant', 0).dataSync())).toEqual([1, 2, 3, 4, 8, 7, 6, 5, 9, 10, 11, 12]);
    tf.dispose([x, shift, out, per]);
  });

  it('gives the cpu backend the same augmented views as wasm', async () => {
    const x = tf.tidy(() => tf.randomUniform([6, 8, 8, 1], 0, 1, 'float32', 3) as tf.Tensor4D);
    const cfg = { translate: 2, flip: true, noise: 0, cutout: 0 };
    const onCpu = augmentBatch(x, cfg, new Rng(1, 'v'));
    const cpuValues = Array.from(onCpu.dataSync());
    const input = Array.from(x.dataSync());
    tf.dispose([x, onCpu]);
    await initBackend('wasm');
    const x2 = tf.tensor4d(input, [6, 8, 8, 1]);
    const onWasm = augmentBatch(x2, cfg, new Rng(1, 'v'));
    expect(cpuValues).toEqual(Array.from(onWasm.dataSync()));
    // Every image keeps most of its pixels: none is blank.
    for (let i = 0; i < 6; i++) expect(cpuValues.slice(i * 64, (i + 1) * 64).filter((v) => v !== 0).length).toBeGreaterThan(20);
    tf.dispose([x2, onWasm]);
  });
});
