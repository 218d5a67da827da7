/** Bounds that keep memory in check whatever a person drops. */

/** Image files larger than this are refused unread. */
export const MAX_IMAGE_FILE_BYTES = 64 * 1024 * 1024;

/** Decoding needs 4 bytes per pixel at full size: 50 megapixels is 200 MB, once, in the decoding Worker. */
export const MAX_IMAGE_PIXELS = 50_000_000;

/** Images of one's own in the unlabeled pool (at 32×32 RGB, 30 MB). */
export const POOL_CAPACITY = 10_000;

/** The pool's pixels at most, for datasets with larger images than CIFAR's. */
export const POOL_BYTES = POOL_CAPACITY * 32 * 32 * 3;

/** How many images of this size the pool takes. */
export function poolCapacity(target: { height: number; width: number; channels: number }): number {
  return Math.max(1, Math.min(POOL_CAPACITY, Math.floor(POOL_BYTES / (target.height * target.width * target.channels))));
}

/** Enough of a file to find its size in the header, even behind large EXIF blocks. */
export const HEADER_BYTES = 512 * 1024;
