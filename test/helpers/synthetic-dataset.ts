import type { Dataset } from '../../src/engine/data/types';
import { Rng } from '../../src/engine/util/rng';

/**
 * A small learnable dataset: each class has its own bright square position, plus noise. Lets model tests run
 * in milliseconds at any image size.
 */
export function syntheticDataset(opts: { height: number; width: number; channels: number; classes: number; train: number; test: number; seed?: number }): Dataset {
  const { height: h, width: w, channels: c, classes } = opts;
  const rng = new Rng(opts.seed ?? 1, 'synthetic');
  const make = (count: number) => {
    const images = new Uint8Array(count * h * w * c);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const y = i % classes;
      labels[i] = y;
      const cy = Math.floor(((y % 3) + 0.5) * (h / 3));
      const cx = Math.floor((Math.floor(y / 3) % 3 + 0.5) * (w / 3));
      for (let p = 0; p < h * w; p++) {
        const py = Math.floor(p / w);
        const px = p % w;
        const on = Math.abs(py - cy) <= 1 && Math.abs(px - cx) <= 1;
        for (let k = 0; k < c; k++) images[(i * h * w + p) * c + k] = Math.min(255, (on ? 180 : 20) + Math.floor(rng.uniform() * 60));
      }
    }
    return { images, labels, count };
  };
  return {
    name: 'synthetic',
    height: h,
    width: w,
    channels: c,
    numClasses: classes,
    classNames: Array.from({ length: classes }, (_, i) => `class ${i}`),
    train: make(opts.train),
    test: make(opts.test),
  };
}
