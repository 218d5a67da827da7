import type { AugmentConfig } from '../vocabulary/train-config';

/**
 * Augmentations of a batch, each off at 0 (or false), applied to normalised images, so "0" is the mean colour:
 * translate (crop with zero padding, pixels in x and y), flip (right for clothing and natural images, wrong for digits
 * and letters; 'auto' decides by dataset), noise (Gaussian std, normalised units), cutout (side of one zeroed square).
 * Their defaults are the engine's knob defaults.
 */
export type { AugmentConfig } from '../vocabulary/train-config';

export type ResolvedAugment = AugmentConfig & { flip: boolean };

export const NO_AUGMENT: ResolvedAugment = { translate: 0, flip: false, noise: 0, cutout: 0 };

/** Datasets whose classes do not change under a left-right flip. */
const FLIP_SAFE = new Set(['fashion-mnist', 'cifar10', 'cifar100']);

export function resolveAugment(a: AugmentConfig, datasetName: string): ResolvedAugment {
  return { ...a, flip: a.flip === 'auto' ? FLIP_SAFE.has(datasetName) : a.flip };
}

export function isAugmenting(a: ResolvedAugment): boolean {
  return a.translate > 0 || a.flip || a.noise > 0 || a.cutout > 0;
}
