import { describe, expect, it } from 'vitest';
import { centreCrop, rgbaToInput, shapeFromKey, shapeKey } from '../src/user-data/images/crop';
import { checkImageHeader, decodeFailure } from '../src/user-data/images/image-check';
import { importImages, type ImageBatch, type ImageSource } from '../src/user-data/images/import-images';
import { MAX_IMAGE_FILE_BYTES, POOL_CAPACITY, poolCapacity } from '../src/user-data/images/limits';
import { encodeBmp, encodePng, tinyGif, uniformPng } from './helpers/image-files';

describe('centreCrop', () => {
  it('keeps the centre square of a wide image and of a tall one', () => {
    expect(centreCrop(400, 300, 28, 28)).toEqual({ x: 50, y: 0, width: 300, height: 300 });
    expect(centreCrop(300, 400, 32, 32)).toEqual({ x: 0, y: 50, width: 300, height: 300 });
  });
  it('leaves an image of the target ratio whole, and keeps other target ratios', () => {
    expect(centreCrop(56, 56, 28, 28)).toEqual({ x: 0, y: 0, width: 56, height: 56 });
    expect(centreCrop(100, 100, 20, 10)).toEqual({ x: 0, y: 25, width: 100, height: 50 });
  });
  it('never asks for an empty rectangle, and refuses empty sizes', () => {
    expect(centreCrop(1, 1000, 28, 28)).toEqual({ x: 0, y: 499, width: 1, height: 1 });
    expect(() => centreCrop(0, 10, 28, 28)).toThrow(RangeError);
  });
});

describe('rgbaToInput', () => {
  it('turns RGBA into Rec. 601 grey or RGB, with transparent parts black', () => {
    const rgba = new Uint8ClampedArray([255, 0, 0, 255, 0, 255, 0, 255, 10, 20, 30, 0, 200, 100, 50, 128]);
    expect(Array.from(rgbaToInput(rgba, 1))).toEqual([76, 150, 0, Math.round((0.299 * 200 + 0.587 * 100 + 0.114 * 50) * (128 / 255))]);
    expect(Array.from(rgbaToInput(rgba, 3))).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 0, 100, 50, 25]);
  });
  it('refuses other channel counts and partial pixels', () => {
    expect(() => rgbaToInput(new Uint8Array(8), 2)).toThrow(/1 \(grey\) or 3/);
    expect(() => rgbaToInput(new Uint8Array(6), 1)).toThrow(/multiple of 4/);
  });
  it('shape keys round-trip', () => {
    expect(shapeFromKey(shapeKey({ height: 32, width: 28, channels: 3 }))).toEqual({ height: 32, width: 28, channels: 3 });
  });
});

describe('checkImageHeader', () => {
  const png = encodePng(40, 30, 3, () => [1, 2, 3]);
  it('reads the size of PNG, BMP and GIF files', () => {
    expect(checkImageHeader(png, png.length)).toEqual({ kind: 'image', type: 'png', width: 40, height: 30 });
    const bmp = encodeBmp(16, 9, () => [0, 0, 0]);
    expect(checkImageHeader(bmp, bmp.length)).toEqual({ kind: 'image', type: 'bmp', width: 16, height: 9 });
    expect(checkImageHeader(tinyGif(), tinyGif().length)).toEqual({ kind: 'image', type: 'gif', width: 2, height: 2 });
  });
  it('refuses an empty file, an oversized file and a 10,000×10,000 image, with reasons', () => {
    expect(checkImageHeader(new Uint8Array(0), 0)).toEqual({ kind: 'refused', reason: 'empty file (0 bytes)' });
    expect(checkImageHeader(png, MAX_IMAGE_FILE_BYTES + 1)).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/image files up to 64 MB/) });
    const huge = uniformPng(10_000, 10_000, 0);
    expect(checkImageHeader(huge, huge.length)).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/^10000×10000 is 100 megapixels; images up to 50 megapixels/) });
  });
  it('says what a non-image is: text, HTML, a ZIP archive, an SVG drawing', () => {
    const text = new TextEncoder().encode('hello, this is not an image');
    expect(checkImageHeader(text, text.length)).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/^not an image: this looks like text \("hello/) });
    const html = new TextEncoder().encode('<!doctype html><title>404</title>');
    expect(checkImageHeader(html, html.length)).toMatchObject({ reason: expect.stringMatching(/HTML page/) });
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4]);
    expect(checkImageHeader(zip, zip.length)).toMatchObject({ reason: expect.stringMatching(/ZIP archive/) });
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>');
    expect(checkImageHeader(svg, svg.length)).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/SVG is a vector format/) });
  });
  it('leaves unknown binary data to the browser to try', () => {
    const blob = new Uint8Array([7, 200, 3, 99, 0, 1, 254, 17]);
    expect(checkImageHeader(blob, blob.length)).toEqual({ kind: 'unknown' });
  });
  it('explains a decoding failure by format', () => {
    expect(decodeFailure({ kind: 'image', type: 'png', width: 1, height: 1 })).toMatch(/PNG data is corrupt or truncated/);
    expect(decodeFailure({ kind: 'image', type: 'tiff', width: 1, height: 1 })).toMatch(/cannot decode TIFF images/);
    expect(decodeFailure({ kind: 'unknown' })).toMatch(/not an image this browser can decode/);
  });
});

describe('importImages', () => {
  const target = { height: 4, width: 4, channels: 1 };
  const png = encodePng(8, 8, 1, () => [5]);
  const source = (id: number, bytes: Uint8Array, name = `f${id}.png`): ImageSource => ({ id, name, file: new Blob([bytes as Uint8Array<ArrayBuffer>]) });
  const decode = async (file: Blob) => {
    const b = new Uint8Array(await file.arrayBuffer());
    if (b.length < 40) throw new Error('decoder: bad data');
    return new Uint8Array(16).fill(b.length % 256);
  };

  it('accepts what decodes and refuses the rest, each with a reason, in batches with progress', async () => {
    const sources = [source(1, png), source(2, png.subarray(0, 30)), source(3, new Uint8Array(0)), source(4, new TextEncoder().encode('plain words here')), source(5, png)];
    const batches: ImageBatch[] = [];
    const r = await importImages(sources, target, { decode, room: 10, batchSize: 2, onBatch: (b) => batches.push(b) });
    expect(r).toEqual({ accepted: 2, refused: 3, cancelled: false });
    expect(batches.map((b) => b.done)).toEqual([2, 4, 5]);
    expect(batches.every((b) => b.total === 5)).toBe(true);
    expect(batches.flatMap((b) => b.accepted.map((a) => a.id))).toEqual([1, 5]);
    const refused = batches.flatMap((b) => b.refused);
    expect(refused.map((x) => [x.id, x.reason])).toEqual([
      [2, 'the PNG data is corrupt or truncated: the browser could not decode it'],
      [3, 'empty file (0 bytes)'],
      [4, expect.stringMatching(/^not an image: this looks like text/)],
    ]);
  });

  it('refuses files beyond the room left in the pool, and stops when cancelled', async () => {
    const sources = [1, 2, 3].map((i) => source(i, png));
    const batches: ImageBatch[] = [];
    await importImages(sources, target, { decode, room: 2, onBatch: (b) => batches.push(b) });
    const refused = batches.flatMap((b) => b.refused);
    expect(refused.map((x) => x.id)).toEqual([3]);
    expect(refused[0].reason).toContain(`at most ${POOL_CAPACITY.toLocaleString('en-US')} of your images at this size`);
    // Larger images than CIFAR's: the pool's bytes bound it, not the count.
    expect(poolCapacity({ height: 28, width: 28, channels: 1 })).toBe(POOL_CAPACITY);
    expect(poolCapacity({ height: 32, width: 32, channels: 3 })).toBe(POOL_CAPACITY);
    expect(poolCapacity({ height: 1000, width: 1000, channels: 1 })).toBe(30);

    const ctl = new AbortController();
    let calls = 0;
    const r = await importImages([1, 2, 3, 4].map((i) => source(i, png)), target, {
      decode: async (f) => {
        if (++calls === 2) ctl.abort();
        return decode(f);
      },
      room: 10,
      signal: ctl.signal,
      onBatch: () => undefined,
    });
    expect(r).toEqual({ accepted: 2, refused: 0, cancelled: true });
  });
});
