import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng';
import { isAugmenting, type ResolvedAugment } from './config';

/**
 * One random view of a batch (NHWC, normalised). Per-image parameters come from the caller's seeded generator,
 * so a run's views are reproducible; the pixel work is tensor ops on the backend (one projective Transform for
 * translation and flip, a mask for cutout, seeded noise). Returns a new tensor.
 */
export function augmentBatch(x: tf.Tensor4D, cfg: ResolvedAugment, rng: Rng): tf.Tensor4D {
  if (!isAugmenting(cfg)) return tf.clone(x);
  const [n, h, w] = x.shape;
  return tf.tidy(() => {
    let out: tf.Tensor4D = x;
    if (cfg.translate > 0 || cfg.flip) {
      // Transform maps each output pixel (u, v) to the input pixel (a0·u + a2, b1·v + b2).
      const t = new Float32Array(n * 8);
      for (let i = 0; i < n; i++) {
        const dx = cfg.translate > 0 ? rng.int(2 * cfg.translate + 1) - cfg.translate : 0;
        const dy = cfg.translate > 0 ? rng.int(2 * cfg.translate + 1) - cfg.translate : 0;
        const flip = cfg.flip && rng.uniform() < 0.5;
        t.set([flip ? -1 : 1, 0, (flip ? w - 1 : 0) + dx, 0, 1, dy, 0, 0], i * 8);
      }
      out = tf.image.transform(out, tf.tensor2d(t, [n, 8]), 'nearest', 'constant', 0);
    }
    if (cfg.cutout > 0) {
      const mask = new Float32Array(n * h * w).fill(1);
      for (let i = 0; i < n; i++) {
        // The square's centre may sit anywhere, so parts of it can fall outside the image (as in the original).
        const cy = rng.int(h);
        const cx = rng.int(w);
        const half = Math.floor(cfg.cutout / 2);
        for (let yy = Math.max(0, cy - half); yy < Math.min(h, cy - half + cfg.cutout); yy++) {
          for (let xx = Math.max(0, cx - half); xx < Math.min(w, cx - half + cfg.cutout); xx++) mask[(i * h + yy) * w + xx] = 0;
        }
      }
      out = tf.mul(out, tf.tensor4d(mask, [n, h, w, 1]));
    }
    if (cfg.noise > 0) out = tf.add(out, tf.randomNormal(out.shape, 0, cfg.noise, 'float32', rng.int32()));
    return out === x ? tf.clone(x) : out;
  });
}
