/** Bounds that keep memory in check whatever a person drops. */

/** Image files larger than this are refused unread. */
export const MAX_IMAGE_FILE_BYTES = 64 * 1024 * 1024;

/** Decoding needs 4 bytes per pixel at full size: 50 megapixels is 200 MB, once, in the decoding Worker. */
export const MAX_IMAGE_PIXELS = 50_000_000;

/** Images of one's own in the unlabeled pool (at 32×32 RGB, 30 MB). */
export const POOL_CAPACITY = 10_000;

/** Enough of a file to find its size in the header, even behind large EXIF blocks. */
export const HEADER_BYTES = 512 * 1024;
