import type { PoolImage } from '../store/user-data-store';
import { shapeKey, type InputShape } from '../user-data/images/crop';

/** The pool's images at the target size, back to back, with their ids: what a training Worker receives. */
export function poolPayload(images: readonly PoolImage[], target: InputShape): { ids: Int32Array; images: Uint8Array } {
  const key = shapeKey(target);
  const ready = images.filter((im) => im.shape === key);
  const pixels = target.height * target.width * target.channels;
  const out = new Uint8Array(ready.length * pixels);
  ready.forEach((im, i) => out.set(im.pixels, i * pixels));
  return { ids: Int32Array.from(ready, (im) => im.id), images: out };
}
