import * as tf from '@tensorflow/tfjs';
import { Rng, type RngState } from '../util/rng';
import type { Dataset, ImageSet } from './types';

/** Per-channel mean and standard deviation of pixel values in [0, 1]. */
export interface Normalization {
  mean: Float32Array;
  std: Float32Array;
}

/** Statistics of the whole training split, so every run (and the teacher) normalises alike. */
export function channelStats(ds: Dataset): Normalization {
  const c = ds.channels;
  const sum = new Float64Array(c);
  const sq = new Float64Array(c);
  const px = ds.train.images;
  for (let i = 0; i < px.length; i++) {
    const v = px[i] / 255;
    sum[i % c] += v;
    sq[i % c] += v * v;
  }
  const n = px.length / c;
  const mean = new Float32Array(c);
  const std = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    mean[k] = sum[k] / n;
    std[k] = Math.sqrt(Math.max(sq[k] / n - mean[k] * mean[k], 1e-12));
  }
  return { mean, std };
}

export interface Batch {
  x: tf.Tensor4D;
  y: tf.Tensor1D;
}

/** Normalised NHWC float tensor of `count` images, image b's pixels given by `pixelsOf(b)` (HWC uint8). */
export function imagesToTensor(ds: Dataset, count: number, pixelsOf: (b: number) => Uint8Array, norm: Normalization): tf.Tensor4D {
  const { height: h, width: w, channels: c } = ds;
  const per = h * w * c;
  const x = new Float32Array(count * per);
  const scale = new Float32Array(c);
  const shift = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    scale[k] = 1 / (255 * norm.std[k]);
    shift[k] = norm.mean[k] / norm.std[k];
  }
  for (let b = 0; b < count; b++) {
    const px = pixelsOf(b);
    const dst = b * per;
    for (let i = 0; i < per; i++) {
      const k = i % c;
      x[dst + i] = px[i] * scale[k] - shift[k];
    }
  }
  return tf.tensor4d(x, [count, h, w, c]);
}

/** Gathers images by index into a normalised NHWC float batch and int32 labels. */
export function makeBatch(ds: Dataset, set: ImageSet, indices: ArrayLike<number>, norm: Normalization): Batch {
  const per = ds.height * ds.width * ds.channels;
  const x = imagesToTensor(ds, indices.length, (b) => set.images.subarray(indices[b] * per, (indices[b] + 1) * per), norm);
  return { x, y: tf.tensor1d(Int32Array.from(indices, (i) => set.labels[i]), 'int32') };
}

/** Endless seeded batches over a fixed index list: reshuffled every epoch, batches may cross epoch borders. */
export class BatchSampler {
  private readonly order: Int32Array;
  private pos: number;
  private readonly rng: Rng;

  constructor(indices: Int32Array, seed: number, purpose: string) {
    if (indices.length === 0) throw new RangeError(`no images to draw ${purpose} batches from`);
    this.order = Int32Array.from(indices);
    this.rng = new Rng(seed, `sampler:${purpose}`);
    this.rng.shuffle(this.order);
    this.pos = 0;
  }

  state(): { order: Int32Array; pos: number; rng: RngState } {
    return { order: Int32Array.from(this.order), pos: this.pos, rng: this.rng.state() };
  }

  restore(s: { order: Int32Array; pos: number; rng: RngState }): void {
    if (s.order.length !== this.order.length) throw new RangeError(`a checkpoint's batch order has ${s.order.length} images, this run ${this.order.length}`);
    this.order.set(s.order);
    this.pos = s.pos;
    this.rng.restore(s.rng);
  }

  next(size: number): Int32Array {
    const out = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      if (this.pos === this.order.length) {
        this.rng.shuffle(this.order);
        this.pos = 0;
      }
      out[i] = this.order[this.pos++];
    }
    return out;
  }
}
