import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzipIfNeeded } from '../src/engine/data/gzip';
import { loadIdxDataset } from '../src/engine/data/fashion-mnist';
import { idxToImageSet, loadIdxPair, parseIdx } from '../src/engine/data/idx';
import { asyncFormatError, formatError, idx } from './helpers/data-format';

const gz = (b: Uint8Array): Uint8Array => new Uint8Array(gzipSync(b));

// 3 images of 2×3 and their labels.
const pixels = Array.from({ length: 3 * 2 * 3 }, (_, i) => (i * 13 + 7) % 256);
const imagesFile = idx(0x08, [3, 2, 3], pixels);
const labelsFile = idx(0x08, [3], [4, 0, 9]);

describe('parseIdx', () => {
  it('reads uint8 images with exact shape and values', () => {
    const a = parseIdx(imagesFile, 'imgs');
    expect(a.dtype).toBe('uint8');
    expect(a.shape).toEqual([3, 2, 3]);
    expect(Array.from(a.data)).toEqual(pixels);
  });

  it('decodes every type code big-endian', () => {
    expect(Array.from(parseIdx(idx(0x09, [3], [-128, -1, 127]), 'f').data)).toEqual([-128, -1, 127]);
    const i16 = parseIdx(idx(0x0b, [2, 2], [-32768, -2, 258, 32767]), 'f');
    expect(i16.dtype).toBe('int16');
    expect(i16.data).toBeInstanceOf(Int16Array);
    expect(Array.from(i16.data)).toEqual([-32768, -2, 258, 32767]);
    const i32 = parseIdx(idx(0x0c, [3], [-2147483648, 16909060, 2147483647]), 'f');
    expect(Array.from(i32.data)).toEqual([-2147483648, 16909060, 2147483647]);
    const f32 = parseIdx(idx(0x0d, [2], [1.5, -0.25]), 'f');
    expect(f32.dtype).toBe('float32');
    expect(Array.from(f32.data)).toEqual([1.5, -0.25]);
    const f64 = parseIdx(idx(0x0e, [2], [Math.PI, -1e300]), 'f');
    expect(f64.dtype).toBe('float64');
    expect(Array.from(f64.data)).toEqual([Math.PI, -1e300]);
  });

  it('reads a file that sits at an offset inside a larger buffer', () => {
    const big = new Uint8Array(imagesFile.length + 5);
    big.set(imagesFile, 3);
    const a = parseIdx(big.subarray(3, 3 + imagesFile.length), 'imgs');
    expect(Array.from(a.data)).toEqual(pixels);
    const wide = idx(0x0b, [2], [-2, 513]);
    const big2 = new Uint8Array(wide.length + 1);
    big2.set(wide, 1);
    expect(Array.from(parseIdx(big2.subarray(1), 'f').data)).toEqual([-2, 513]);
  });

  it('rejects a file shorter than the header', () => {
    const e = formatError(() => parseIdx(new Uint8Array([0, 0, 8]), 'tiny.idx'));
    expect(e.file).toBe('tiny.idx');
    expect(e.message).toBe('tiny.idx: file is 3 bytes, shorter than the 4-byte IDX header');
  });

  it('rejects wrong magic numbers: ZIP, PNG, text', () => {
    const zip = formatError(() => parseIdx(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), 'a.zip'));
    expect(zip.message).toContain(
      'a.zip: not an IDX file: magic bytes 50 4b 03 04 (expected 00 00 then a type code and dimension count)',
    );
    expect(zip.message).toContain('ZIP');
    const png = formatError(() =>
      parseIdx(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'digit.png'),
    );
    expect(png.message).toContain('magic bytes 89 50 4e 47');
    expect(png.message).toContain('PNG');
    const html = formatError(() => parseIdx(new TextEncoder().encode('<!DOCTYPE html><p>Not found</p>'), 'x.idx'));
    expect(html.message).toContain('magic bytes 3c 21 44 4f');
    expect(html.message).toContain('text');
    const gzipped = formatError(() => parseIdx(gz(imagesFile), 'x.gz'));
    expect(gzipped.message).toContain('gzip');
  });

  it('rejects an unknown type code and zero dimensions', () => {
    expect(formatError(() => parseIdx(new Uint8Array([0, 0, 0x0a, 1, 0, 0, 0, 0]), 'f')).message).toContain(
      'unknown IDX type code 0x0a',
    );
    expect(formatError(() => parseIdx(new Uint8Array([0, 0, 8, 0]), 'f')).message).toBe(
      'f: IDX header declares 0 dimensions',
    );
  });

  it('rejects a truncated header', () => {
    const e = formatError(() => parseIdx(imagesFile.subarray(0, 10), 'imgs'));
    expect(e.message).toBe('imgs: truncated header: 3 dimensions need a 16-byte header, file has 10 bytes');
  });

  it('rejects truncated data, with the numbers', () => {
    const header = idx(0x08, [60000, 28, 28]);
    const file = new Uint8Array(header.length + 1234);
    file.set(header);
    const e = formatError(() => parseIdx(file, 'train-images-idx3-ubyte'));
    expect(e.message).toBe(
      'train-images-idx3-ubyte: truncated: header promises 60000×28×28 = 47040000 bytes of data, file has 1234',
    );
    const f32 = idx(0x0d, [3], [1, 2, 3]);
    expect(formatError(() => parseIdx(f32.subarray(0, f32.length - 1), 'f')).message).toContain(
      'header promises 3 float32 values = 12 bytes of data, file has 11',
    );
  });

  it('rejects trailing bytes', () => {
    const file = new Uint8Array(labelsFile.length + 2);
    file.set(labelsFile);
    const e = formatError(() => parseIdx(file, 'labels'));
    expect(e.message).toBe('labels: 2 unexpected bytes after the data (header promises 3 bytes of data, file has 5)');
  });
});

describe('gunzipIfNeeded', () => {
  it('passes raw bytes through and decompresses gzip', async () => {
    expect(await gunzipIfNeeded(imagesFile, 'f')).toBe(imagesFile);
    expect(Array.from(await gunzipIfNeeded(gz(imagesFile), 'f'))).toEqual(Array.from(imagesFile));
  });

  it('decompresses output larger than one stream chunk', async () => {
    const big = new Uint8Array(1 << 20).map((_, i) => (i * 31) % 253);
    expect(Buffer.compare(await gunzipIfNeeded(gz(big), 'big'), big)).toBe(0);
  });

  it('names the file for truncated or corrupt gzip', async () => {
    const z = gz(imagesFile);
    const cut = await asyncFormatError(gunzipIfNeeded(z.subarray(0, z.length - 6), 'x.gz'));
    expect(cut.file).toBe('x.gz');
    expect(cut.message).toContain('x.gz: corrupt or truncated gzip data');
    const bad = z.slice();
    bad[bad.length - 6] ^= 0xff; // inside the CRC32 trailer
    expect((await asyncFormatError(gunzipIfNeeded(bad, 'y.gz'))).message).toContain(
      'y.gz: corrupt or truncated gzip data',
    );
  });
});

describe('idxToImageSet / loadIdxPair', () => {
  it('round-trips raw files with exact values', async () => {
    const r = await loadIdxPair(imagesFile, labelsFile, 'imgs', 'lbls');
    expect([r.height, r.width, r.channels, r.maxLabel]).toEqual([2, 3, 1, 9]);
    expect(r.set.count).toBe(3);
    expect(Array.from(r.set.images)).toEqual(pixels);
    expect(Array.from(r.set.labels)).toEqual([4, 0, 9]);
    // Own, tight buffers (safe to transfer to a Worker).
    expect(r.set.images.byteOffset).toBe(0);
    expect(r.set.images.buffer.byteLength).toBe(pixels.length);
  });

  it('round-trips gzipped files and 4-D (channel) images', async () => {
    const rgb = Array.from({ length: 2 * 2 * 2 * 3 }, (_, i) => 255 - i);
    const r = await loadIdxPair(gz(idx(0x08, [2, 2, 2, 3], rgb)), gz(idx(0x08, [2], [1, 2])), 'i.gz', 'l.gz');
    expect([r.height, r.width, r.channels, r.set.count, r.maxLabel]).toEqual([2, 2, 3, 2, 2]);
    expect(Array.from(r.set.images)).toEqual(rgb);
    expect(Array.from(r.set.labels)).toEqual([1, 2]);
  });

  it('names both files and both counts when counts differ', async () => {
    const e = await asyncFormatError(loadIdxPair(imagesFile, idx(0x08, [2], [1, 2]), 'train-images', 't10k-labels'));
    expect(e.message).toContain('train-images has 3 images');
    expect(e.message).toContain('t10k-labels has 2 labels');
  });

  it('explains a swapped images/labels pair', async () => {
    const e = await asyncFormatError(loadIdxPair(labelsFile, imagesFile, 'labels.idx', 'images.idx'));
    expect(e.file).toBe('labels.idx');
    expect(e.message).toContain('swapped');
    const e2 = formatError(() => idxToImageSet(parseIdx(imagesFile, 'i'), parseIdx(imagesFile, 'i2'), 'i', 'i2'));
    expect(e2.file).toBe('i2');
    expect(e2.message).toContain('swapped');
  });

  it('rejects images or labels that are not unsigned bytes', () => {
    const f32Images = parseIdx(idx(0x0d, [1, 1, 1], [0.5]), 'i');
    expect(formatError(() => idxToImageSet(f32Images, parseIdx(idx(0x08, [1], [0]), 'l'), 'i', 'l')).message).toContain(
      'got float32',
    );
    const i32Labels = parseIdx(idx(0x0c, [3], [0, 1, 2]), 'l');
    const e = formatError(() => idxToImageSet(parseIdx(imagesFile, 'i'), i32Labels, 'i', 'l'));
    expect(e.file).toBe('l');
    expect(e.message).toContain('got int32');
  });

  it('passes parse errors through with the file name', async () => {
    const e = await asyncFormatError(loadIdxPair(imagesFile.subarray(0, 20), labelsFile, 'imgs.idx', 'lbls.idx'));
    expect(e.message).toMatch(/^imgs\.idx: truncated/);
  });
});

describe('loadIdxDataset without class names (the CLI\'s idx:DIR)', () => {
  const files = { trainImages: 'tr-i', trainLabels: 'tr-l', testImages: 'te-i', testLabels: 'te-l' };
  const load = (trainLabels: number[], testLabels: number[]) => {
    const bytes: Record<string, Uint8Array> = {
      'tr-i': idx(0x08, [trainLabels.length, 2, 2], new Array(trainLabels.length * 4).fill(3)),
      'tr-l': idx(0x08, [trainLabels.length], trainLabels),
      'te-i': idx(0x08, [testLabels.length, 2, 2], new Array(testLabels.length * 4).fill(5)),
      'te-l': idx(0x08, [testLabels.length], testLabels),
    };
    return loadIdxDataset('dir', async (f) => bytes[f], files);
  };

  it('takes the classes 0 … the largest training label', async () => {
    const d = await load([0, 2, 1, 2], [1, 0]);
    expect(d.classNames).toEqual(['0', '1', '2']);
  });

  it('refuses labels that are all one value (all 255 would score 100%)', async () => {
    const e = await asyncFormatError(load([255, 255, 255], [255]));
    expect(e.file).toBe('tr-l');
    expect(e.message).toMatch(/every training label is 255; a classifier needs at least 2 classes/);
  });

  it('refuses a stray label that leaves classes without a training image', async () => {
    const e = await asyncFormatError(load([0, 1, 2, 200, 3], [0]));
    expect(e.message).toMatch(/label 200 is out of range: .* no training image has label 4, 5, 6 … 199 \(196 classes\)/);
  });

  it('refuses test labels beyond the training classes', async () => {
    const e = await asyncFormatError(load([0, 1, 0, 1], [0, 7]));
    expect(e.file).toBe('te-l');
    expect(e.message).toMatch(/label 7 is out of range: the training labels \(tr-l\) go up to 1/);
  });
});
