import { imageSize } from 'image-size';
import { describeForeign } from '../../engine/data/import/content-kind';
import { MAX_IMAGE_FILE_BYTES, MAX_IMAGE_PIXELS } from './limits';

/** Formats Chromium, Firefox and Safari decode in a Worker; anything else is tried, and refused if it fails. */
const BROWSER_FORMATS = new Set(['png', 'jpg', 'gif', 'webp', 'bmp', 'ico', 'cur', 'avif']);

const FORMAT_NAMES: Record<string, string> = { jpg: 'JPEG', svg: 'SVG', tiff: 'TIFF', heif: 'HEIF/HEIC', psd: 'Photoshop', dds: 'DDS', ktx: 'KTX', icns: 'ICNS', j2c: 'JPEG 2000', jp2: 'JPEG 2000', jxl: 'JPEG XL', pnm: 'PNM', tga: 'TGA', exr: 'OpenEXR' };

export function formatName(type: string): string {
  return FORMAT_NAMES[type] ?? type.toUpperCase();
}

export type HeaderVerdict =
  | { kind: 'image'; type: string; width: number; height: number }
  /** image-size does not know it; the browser may still decode it. */
  | { kind: 'unknown' }
  | { kind: 'refused'; reason: string };

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;

/** Checks a file before decoding: empty, too large, not an image, a vector image, or too many pixels. */
export function checkImageHeader(head: Uint8Array, fileBytes: number): HeaderVerdict {
  if (fileBytes === 0) return { kind: 'refused', reason: 'empty file (0 bytes)' };
  if (fileBytes > MAX_IMAGE_FILE_BYTES) {
    return { kind: 'refused', reason: `file is ${mb(fileBytes)}; image files up to ${mb(MAX_IMAGE_FILE_BYTES)} are accepted` };
  }
  let size;
  try {
    size = imageSize(head);
  } catch {
    const guess = describeForeign(head);
    return guess ? { kind: 'refused', reason: `not an image: this looks like ${guess}` } : { kind: 'unknown' };
  }
  const type = size.type ?? 'unknown';
  if (type === 'svg') return { kind: 'refused', reason: 'SVG is a vector format the page cannot rasterise off the main thread; export it as PNG' };
  const { width, height } = size;
  if (!(width > 0 && height > 0)) return { kind: 'refused', reason: `the ${formatName(type)} header gives a size of ${width}×${height}` };
  if (width * height > MAX_IMAGE_PIXELS) {
    return {
      kind: 'refused',
      reason: `${width}×${height} is ${((width * height) / 1e6).toFixed(0)} megapixels; images up to ${MAX_IMAGE_PIXELS / 1e6} megapixels are accepted (scale it down first)`,
    };
  }
  return { kind: 'image', type, width, height };
}

/** Why a file whose header was checked could not be decoded. */
export function decodeFailure(verdict: HeaderVerdict): string {
  if (verdict.kind !== 'image') return 'not an image this browser can decode';
  const name = formatName(verdict.type);
  return BROWSER_FORMATS.has(verdict.type)
    ? `the ${name} data is corrupt or truncated: the browser could not decode it`
    : `this browser cannot decode ${name} images (or the file is damaged); convert it to PNG or JPEG`;
}
