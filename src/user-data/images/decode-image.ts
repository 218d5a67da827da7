/// <reference lib="webworker" />
import { centreCrop, rgbaToInput, type InputShape } from './crop';
import { MAX_IMAGE_PIXELS } from './limits';

/**
 * Decodes an image file with the browser's own decoders (createImageBitmap, which also applies EXIF rotation),
 * centre-crops it to the target's aspect ratio, resizes it with high-quality filtering and returns it as HWC
 * uint8 at the target size. Runs in a Worker: OffscreenCanvas, no DOM.
 */
export async function decodeImage(file: Blob, target: InputShape): Promise<Uint8Array> {
  const full = await createImageBitmap(file);
  let small: ImageBitmap | null = null;
  try {
    if (full.width * full.height > MAX_IMAGE_PIXELS) {
      throw new TooLargeError(`${full.width}×${full.height} is more than ${MAX_IMAGE_PIXELS / 1e6} megapixels`);
    }
    const crop = centreCrop(full.width, full.height, target.width, target.height);
    small = await createImageBitmap(full, crop.x, crop.y, crop.width, crop.height, {
      resizeWidth: target.width,
      resizeHeight: target.height,
      resizeQuality: 'high',
    });
  } finally {
    full.close();
  }
  const canvas = new OffscreenCanvas(target.width, target.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas context in this Worker');
  ctx.drawImage(small, 0, 0);
  small.close();
  return rgbaToInput(ctx.getImageData(0, 0, target.width, target.height).data, target.channels);
}

/** A decoded image turned out larger than the header said (or had no header size). */
export class TooLargeError extends Error {
  override name = 'TooLargeError';
}
