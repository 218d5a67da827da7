import { expect } from 'vitest';
import { DataFormatError } from '../../src/engine/data/format-error';

/** Builds an IDX file by hand: 00 00, type code, ndims, big-endian dims, then big-endian values. */
export function idx(typeCode: number, shape: number[], values: number[] = []): Uint8Array {
  const size = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 }[typeCode] ?? 1;
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + values.length * size);
  const v = new DataView(out.buffer);
  v.setUint8(2, typeCode);
  v.setUint8(3, shape.length);
  shape.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  values.forEach((x, i) => {
    const o = header + i * size;
    if (typeCode === 0x08) v.setUint8(o, x);
    else if (typeCode === 0x09) v.setInt8(o, x);
    else if (typeCode === 0x0b) v.setInt16(o, x, false);
    else if (typeCode === 0x0c) v.setInt32(o, x, false);
    else if (typeCode === 0x0d) v.setFloat32(o, x, false);
    else v.setFloat64(o, x, false);
  });
  return out;
}

/** Calls `fn`, expects it to throw a DataFormatError, and returns that error. */
export function formatError(fn: () => unknown): DataFormatError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DataFormatError);
    return e as DataFormatError;
  }
  throw new Error('expected a DataFormatError');
}

/** Awaits `p`, expects it to reject with a DataFormatError, and returns that error. */
export async function asyncFormatError(p: Promise<unknown>): Promise<DataFormatError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DataFormatError);
    return e as DataFormatError;
  }
  throw new Error('expected a DataFormatError');
}

/** A deterministic pixel value for record r, channel c, pixel i of a generated CIFAR batch. */
export const cifarPixelValue = (r: number, c: number, i: number): number => (r * 101 + c * 37 + i * 7) % 256;

/** A CIFAR batch in the distribution's layout: label byte(s), then R, G, B planes of 1024 bytes each. */
export function cifarBatchBytes(labels: number[][], first = 0): Uint8Array {
  const labelBytes = labels[0]?.length ?? 1;
  const rec = labelBytes + 3072;
  const out = new Uint8Array(labels.length * rec);
  labels.forEach((ls, r) => {
    out.set(ls, r * rec);
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < 1024; i++) out[r * rec + labelBytes + c * 1024 + i] = cifarPixelValue(first + r, c, i);
    }
  });
  return out;
}
