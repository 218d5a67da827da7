/** The model's input: what every image a person adds is turned into (HWC uint8). */
export interface InputShape {
  height: number;
  width: number;
  channels: number;
}

export function shapeKey(s: InputShape): string {
  return `${s.height}x${s.width}x${s.channels}`;
}

export function shapeFromKey(key: string): InputShape {
  const [height, width, channels] = key.split('x').map(Number);
  return { height, width, channels };
}

export function describeShape(s: InputShape): string {
  return `${s.width}×${s.height} ${s.channels === 1 ? 'grey' : 'RGB'}`;
}

/**
 * The largest centred rectangle of the source with the target's aspect ratio: the image is cropped, never
 * stretched, so a wide photo keeps its proportions and loses its sides.
 */
export function centreCrop(srcWidth: number, srcHeight: number, dstWidth: number, dstHeight: number): { x: number; y: number; width: number; height: number } {
  if (!(srcWidth > 0 && srcHeight > 0 && dstWidth > 0 && dstHeight > 0)) {
    throw new RangeError(`sizes must be positive, got ${srcWidth}×${srcHeight} → ${dstWidth}×${dstHeight}`);
  }
  // Compare srcW/srcH with dstW/dstH without division, so exact ratios stay exact.
  if (srcWidth * dstHeight > dstWidth * srcHeight) {
    const width = Math.max(1, Math.round((srcHeight * dstWidth) / dstHeight));
    return { x: Math.floor((srcWidth - width) / 2), y: 0, width, height: srcHeight };
  }
  const height = Math.max(1, Math.round((srcWidth * dstHeight) / dstWidth));
  return { x: 0, y: Math.floor((srcHeight - height) / 2), width: srcWidth, height };
}

/**
 * RGBA (straight alpha, as getImageData gives it) to the model's channels. Transparent parts become black, the
 * background of both shipped-format datasets' digits and clothes; grey is the Rec. 601 luma, as in most MNIST-style
 * conversions.
 */
export function rgbaToInput(rgba: Uint8ClampedArray | Uint8Array, channels: number): Uint8Array {
  if (channels !== 1 && channels !== 3) throw new RangeError(`only 1 (grey) or 3 (RGB) channels, got ${channels}`);
  if (rgba.length % 4 !== 0) throw new RangeError(`RGBA data must be a multiple of 4 bytes, got ${rgba.length}`);
  const n = rgba.length / 4;
  const out = new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) {
    const a = rgba[4 * i + 3] / 255;
    const r = rgba[4 * i] * a;
    const g = rgba[4 * i + 1] * a;
    const b = rgba[4 * i + 2] * a;
    if (channels === 1) out[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    else {
      out[3 * i] = Math.round(r);
      out[3 * i + 1] = Math.round(g);
      out[3 * i + 2] = Math.round(b);
    }
  }
  return out;
}
