/** Augmentations of a batch, each off at 0 (or false). Applied to normalised images, so "0" is the mean colour. */
export interface AugmentConfig {
  /** Random translation (crop with zero padding) by up to this many pixels in x and y. */
  translate: number;
  /** Random horizontal flip: right for clothing and natural images, wrong for digits and letters. 'auto' decides by dataset. */
  flip: boolean | 'auto';
  /** Standard deviation of added Gaussian noise, in normalised units. */
  noise: number;
  /** Side of one random square set to zero (cutout), in pixels. */
  cutout: number;
}

export type ResolvedAugment = AugmentConfig & { flip: boolean };

/**
 * The classroom preset's views (chosen on a validation split, README): flips where they keep the label and Gaussian
 * noise. No translation: an MLP has no translation invariance, and asking it to agree across shifted copies cost
 * CR accuracy.
 */
export const DEFAULT_AUGMENT: AugmentConfig = { translate: 0, flip: 'auto', noise: 0.2, cutout: 0 };

export const NO_AUGMENT: ResolvedAugment = { translate: 0, flip: false, noise: 0, cutout: 0 };

/** Datasets whose classes do not change under a left-right flip. */
const FLIP_SAFE = new Set(['fashion-mnist', 'cifar10', 'cifar100']);

export function resolveAugment(a: AugmentConfig, datasetName: string): ResolvedAugment {
  return { ...a, flip: a.flip === 'auto' ? FLIP_SAFE.has(datasetName) : a.flip };
}

export function isAugmenting(a: ResolvedAugment): boolean {
  return a.translate > 0 || a.flip || a.noise > 0 || a.cutout > 0;
}
