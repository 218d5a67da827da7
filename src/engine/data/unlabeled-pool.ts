import type * as tf from '@tensorflow/tfjs';
import { Rng, type RngState } from '../util/rng';
import { imagesToTensor, type Normalization } from './batches';
import type { Dataset } from './types';

/**
 * Images without labels for the consistency term: the unlabeled remainder of the training split, plus images a
 * person adds (already decoded to the model's input size, HWC uint8). Batches are drawn uniformly from the whole
 * pool, with a seeded generator.
 */
export class UnlabeledPool {
  private readonly added: Uint8Array[] = [];
  private readonly rng: Rng;
  private readonly pixels: number;

  constructor(private readonly ds: Dataset, private readonly trainIndices: Int32Array, seed: number) {
    this.rng = new Rng(seed, 'unlabeled');
    this.pixels = ds.height * ds.width * ds.channels;
  }

  get size(): number {
    return this.trainIndices.length + this.added.length;
  }

  get addedCount(): number {
    return this.added.length;
  }

  /** Adds `images.length / (h·w·c)` images; returns the pool's new size. Refuses a buffer of the wrong length. */
  addImages(images: Uint8Array): number {
    if (images.length === 0) this.refuse(images);
    this.checkWhole(images);
    for (let i = 0; i < images.length; i += this.pixels) this.added.push(images.slice(i, i + this.pixels));
    return this.size;
  }

  /** Replaces every added image by these (none: back to the training split's remainder); returns the new size. */
  replaceAdded(images: Uint8Array): number {
    this.checkWhole(images);
    this.added.length = 0;
    return images.length === 0 ? this.size : this.addImages(images);
  }

  private checkWhole(images: Uint8Array): void {
    if (images.length % this.pixels !== 0) this.refuse(images);
  }

  private refuse(images: Uint8Array): never {
    const { height: h, width: w, channels: c } = this.ds;
    throw new RangeError(`added images must be whole ${h}×${w}×${c} uint8 images (${this.pixels} bytes each); got ${images.length} bytes`);
  }

  /** The draw generator's state; the added images are the host's to give again. */
  rngState(): RngState {
    return this.rng.state();
  }

  restoreRng(s: RngState): void {
    this.rng.restore(s);
  }

  /** A batch of n images (with replacement), normalised like the training data. */
  sample(n: number, norm: Normalization): tf.Tensor4D {
    if (this.size === 0) throw new RangeError('the unlabeled pool is empty');
    const picks = Int32Array.from({ length: n }, () => this.rng.int(this.size));
    const train = this.ds.train.images;
    return imagesToTensor(
      this.ds,
      n,
      (b) => {
        const p = picks[b];
        if (p < this.trainIndices.length) {
          const at = this.trainIndices[p] * this.pixels;
          return train.subarray(at, at + this.pixels);
        }
        return this.added[p - this.trainIndices.length];
      },
      norm,
    );
  }
}
