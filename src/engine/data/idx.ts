import { DataFormatError } from './format-error';
import { gunzipIfNeeded } from './gzip';
import type { ImageSet } from './types';

/**
 * IDX, the MNIST file format: two zero bytes, a type code, a dimension count, then one big-endian uint32 per
 * dimension, then the values, big-endian, row-major.
 */
export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dtype: IdxDtype;
  shape: number[];
  data: IdxData;
}

const TYPE_CODES: Record<number, { dtype: IdxDtype; size: number }> = {
  0x08: { dtype: 'uint8', size: 1 },
  0x09: { dtype: 'int8', size: 1 },
  0x0b: { dtype: 'int16', size: 2 },
  0x0c: { dtype: 'int32', size: 4 },
  0x0d: { dtype: 'float32', size: 4 },
  0x0e: { dtype: 'float64', size: 8 },
};

const hex = (b: number): string => b.toString(16).padStart(2, '0');

/** A guess at what a non-IDX file is, so the error points at the likely mistake. */
function describeForeign(bytes: Uint8Array): string {
  const starts = (...sig: number[]): boolean => sig.every((b, i) => bytes[i] === b);
  if (starts(0x1f, 0x8b)) return ' — this is gzip data, decompress it first';
  if (starts(0x89, 0x50, 0x4e, 0x47)) return ' — this looks like a PNG image';
  if (starts(0xff, 0xd8, 0xff)) return ' — this looks like a JPEG image';
  if (starts(0x50, 0x4b)) return ' — this looks like a ZIP archive';
  const head = bytes.subarray(0, 64);
  const printable = head.every((b) => b === 9 || b === 10 || b === 13 || (b >= 0x20 && b < 0x7f));
  if (head.length > 0 && printable) {
    const text = String.fromCharCode(...head.subarray(0, 32)).replace(/\s+/g, ' ').trim();
    return ` — this looks like text ("${text}"), perhaps an HTML error page instead of the file`;
  }
  return '';
}

/** Parses one IDX file. 8-bit data is a view into `bytes` (no copy); wider types are decoded from big-endian. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) {
    throw new DataFormatError(file, `file is ${bytes.length} bytes, shorter than the 4-byte IDX header`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = Array.from(bytes.subarray(0, 4), hex).join(' ');
    throw new DataFormatError(
      file,
      `not an IDX file: magic bytes ${magic} (expected 00 00 then a type code and dimension count)${describeForeign(bytes)}`,
    );
  }
  const type = TYPE_CODES[bytes[2]];
  if (!type) {
    throw new DataFormatError(
      file,
      `unknown IDX type code 0x${hex(bytes[2])} (expected 08 uint8, 09 int8, 0b int16, 0c int32, 0d float32 or 0e float64)`,
    );
  }
  const ndims = bytes[3];
  if (ndims === 0) throw new DataFormatError(file, 'IDX header declares 0 dimensions');
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new DataFormatError(
      file,
      `truncated header: ${ndims} dimensions need a ${headerBytes}-byte header, file has ${bytes.length} bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndims; i++) shape.push(view.getUint32(4 + 4 * i, false));

  const count = shape.reduce((a, b) => a * b, 1);
  const dataBytes = count * type.size;
  const present = bytes.length - headerBytes;
  const dims = shape.join('×');
  const promise =
    type.size > 1
      ? `${dims} ${type.dtype} values = ${dataBytes} bytes of data`
      : ndims > 1
        ? `${dims} = ${dataBytes} bytes of data`
        : `${dataBytes} bytes of data`;
  if (present < dataBytes) {
    throw new DataFormatError(file, `truncated: header promises ${promise}, file has ${present}`);
  }
  if (present > dataBytes) {
    throw new DataFormatError(
      file,
      `${present - dataBytes} unexpected bytes after the data (header promises ${promise}, file has ${present})`,
    );
  }
  return { dtype: type.dtype, shape, data: decode(view, headerBytes, count, type.dtype) };
}

function decode(view: DataView, offset: number, count: number, dtype: IdxDtype): IdxData {
  const start = view.byteOffset + offset;
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(view.buffer, start, count);
    case 'int8':
      return new Int8Array(view.buffer, start, count);
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

export interface IdxImageSet {
  set: ImageSet;
  height: number;
  width: number;
  channels: number;
  /** Largest label present; 0 for an empty set. */
  maxLabel: number;
}

/** A copy with a buffer of its own, so consumers may transfer `.buffer` to a Worker or index it from 0. */
function ownBuffer(a: Uint8Array): Uint8Array {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice();
}

/** Checks that an images file and a labels file form a pair, and turns them into an ImageSet. */
export function idxToImageSet(
  images: IdxArray,
  labels: IdxArray,
  imagesFile: string,
  labelsFile: string,
): IdxImageSet {
  const rank = images.shape.length;
  if (rank !== 3 && rank !== 4) {
    const swapped = rank === 1 ? ' — this looks like a labels file; are the images and labels files swapped?' : '';
    throw new DataFormatError(
      imagesFile,
      `expected images with 3 dimensions (count×height×width) or 4 (count×height×width×channels), got ${rank} (${images.shape.join('×')})${swapped}`,
    );
  }
  if (images.dtype !== 'uint8') {
    throw new DataFormatError(imagesFile, `expected images of unsigned bytes (type 08), got ${images.dtype}`);
  }
  if (labels.shape.length !== 1) {
    const swapped =
      labels.shape.length >= 3 ? ' — this looks like an images file; are the images and labels files swapped?' : '';
    throw new DataFormatError(
      labelsFile,
      `expected labels with 1 dimension (count), got ${labels.shape.length} (${labels.shape.join('×')})${swapped}`,
    );
  }
  if (labels.dtype !== 'uint8') {
    throw new DataFormatError(labelsFile, `expected labels of unsigned bytes (type 08), got ${labels.dtype}`);
  }
  const [n, height, width] = images.shape;
  const channels = rank === 4 ? images.shape[3] : 1;
  if (height === 0 || width === 0 || channels === 0) {
    throw new DataFormatError(imagesFile, `image size ${height}×${width}×${channels} has a zero dimension`);
  }
  const nLabels = labels.shape[0];
  if (nLabels !== n) {
    throw new DataFormatError(
      `${imagesFile} + ${labelsFile}`,
      `image and label counts differ: ${imagesFile} has ${n} images, ${labelsFile} has ${nLabels} labels`,
    );
  }
  const labelData = labels.data as Uint8Array;
  let maxLabel = 0;
  for (let i = 0; i < labelData.length; i++) if (labelData[i] > maxLabel) maxLabel = labelData[i];
  return {
    set: { images: ownBuffer(images.data as Uint8Array), labels: ownBuffer(labelData), count: n },
    height,
    width,
    channels,
    maxLabel,
  };
}

/** Decompresses (when gzipped), parses and pairs an images file and a labels file. */
export async function loadIdxPair(
  imagesBytes: Uint8Array,
  labelsBytes: Uint8Array,
  imagesFile: string,
  labelsFile: string,
): Promise<IdxImageSet> {
  const [imgRaw, lblRaw] = await Promise.all([
    gunzipIfNeeded(imagesBytes, imagesFile),
    gunzipIfNeeded(labelsBytes, labelsFile),
  ]);
  return idxToImageSet(parseIdx(imgRaw, imagesFile), parseIdx(lblRaw, labelsFile), imagesFile, labelsFile);
}
