import { describe, expect, it } from 'vitest';
import {
  CIFAR100_COARSE_CLASSES,
  CIFAR100_FINE_CLASSES,
  CIFAR10_CLASSES,
  CIFAR_PIXELS,
  cifarClassNames,
  cifarFiles,
  concatImageSets,
  parseCifarBatch,
} from '../src/engine/data/cifar';
import { formatError, cifarBatchBytes, cifarPixelValue } from './helpers/data-format';

/** A distinct value for each (record, channel, pixel) so any misplacement shows. */
const pixelValue = cifarPixelValue;
const batch = cifarBatchBytes;

/** Pixel (y, x, channel) of image n from an HWC set. */
const at = (images: Uint8Array, n: number, y: number, x: number, c: number): number =>
  images[n * CIFAR_PIXELS + (y * 32 + x) * 3 + c];

describe('parseCifarBatch', () => {
  it('parses CIFAR-10 records into HWC with exact pixel placement', () => {
    const set = parseCifarBatch(batch([[3], [9], [0]]), 'data_batch_1.bin', 'cifar10');
    expect(set.count).toBe(3);
    expect(Array.from(set.labels)).toEqual([3, 9, 0]);
    expect(set.images.length).toBe(3 * 3072);
    // First pixel of the first image: R, G, B from the three planes' first bytes.
    expect([0, 1, 2].map((c) => at(set.images, 0, 0, 0, c))).toEqual([0, 37, 74]);
    // Spot checks across images, rows, columns and channels.
    for (const [n, y, x, c] of [
      [0, 0, 1, 0],
      [1, 5, 7, 2],
      [2, 31, 31, 1],
      [2, 16, 0, 0],
    ]) {
      expect(at(set.images, n, y, x, c)).toBe(pixelValue(n, c, y * 32 + x));
    }
    // Full check of one image.
    for (let i = 0; i < 1024; i++) {
      for (let c = 0; c < 3; c++) expect(set.images[CIFAR_PIXELS + i * 3 + c]).toBe(pixelValue(1, c, i));
    }
  });

  it('parses CIFAR-100 records with fine or coarse labels', () => {
    const bytes = batch([
      [19, 99],
      [0, 42],
    ]);
    const fine = parseCifarBatch(bytes, 'train.bin', 'cifar100');
    expect(Array.from(fine.labels)).toEqual([99, 42]);
    const coarse = parseCifarBatch(bytes, 'train.bin', 'cifar100', 'coarse');
    expect(Array.from(coarse.labels)).toEqual([19, 0]);
    expect(at(fine.images, 1, 2, 3, 2)).toBe(pixelValue(1, 2, 2 * 32 + 3));
    expect(Array.from(coarse.images)).toEqual(Array.from(fine.images));
  });

  it('rejects an empty file', () => {
    expect(formatError(() => parseCifarBatch(new Uint8Array(0), 'empty.bin', 'cifar10')).message).toContain(
      'empty.bin: file is empty',
    );
  });

  it('rejects a length that is not a whole number of records', () => {
    const ten = batch(Array.from({ length: 10 }, () => [1]));
    const plus1 = new Uint8Array(ten.length + 1);
    plus1.set(ten);
    expect(formatError(() => parseCifarBatch(plus1, 'data_batch_2.bin', 'cifar10')).message).toBe(
      'data_batch_2.bin: 30731 bytes is not a whole number of 3073-byte CIFAR-10 records (10 records + 1 byte left over)',
    );
    // A CIFAR-10 file read as CIFAR-100 does not fit either.
    expect(formatError(() => parseCifarBatch(ten, 'test_batch.bin', 'cifar100')).message).toContain(
      'is not a whole number of 3074-byte CIFAR-100 records (9 records + 3064 bytes left over)',
    );
  });

  it('rejects out-of-range labels, naming the record', () => {
    const e = formatError(() => parseCifarBatch(batch([[1], [2], [10]]), 'data_batch_3.bin', 'cifar10'));
    expect(e.file).toBe('data_batch_3.bin');
    expect(e.message).toContain('record 2');
    expect(e.message).toContain('label 10 is out of range for CIFAR-10 (expected 0–9)');
    const fine = formatError(() => parseCifarBatch(batch([[0, 100]]), 'test.bin', 'cifar100'));
    expect(fine.message).toContain('record 0');
    expect(fine.message).toContain('fine label 100');
    const coarse = formatError(() =>
      parseCifarBatch(
        batch([
          [0, 0],
          [20, 5],
        ]),
        'test.bin',
        'cifar100',
        'coarse',
      ),
    );
    expect(coarse.message).toContain('record 1');
    expect(coarse.message).toContain('coarse label 20');
  });

  it('points at the archive when given the .tar.gz download', () => {
    const gz = new Uint8Array(3073);
    gz[0] = 0x1f;
    gz[1] = 0x8b;
    expect(formatError(() => parseCifarBatch(gz, 'cifar-10-binary.tar.gz', 'cifar10')).message).toContain(
      'extract the .bin batch files',
    );
  });

  it('refuses coarse labels for CIFAR-10', () => {
    expect(() => parseCifarBatch(batch([[1]]), 'b', 'cifar10', 'coarse')).toThrow(RangeError);
  });
});

describe('concatImageSets', () => {
  it('joins sets in order', () => {
    const a = parseCifarBatch(batch([[1], [2]]), 'a', 'cifar10');
    const b = parseCifarBatch(batch([[7]]), 'b', 'cifar10');
    const all = concatImageSets([a, b], CIFAR_PIXELS);
    expect(all.count).toBe(3);
    expect(Array.from(all.labels)).toEqual([1, 2, 7]);
    expect(Array.from(all.images.subarray(0, 2 * CIFAR_PIXELS))).toEqual(Array.from(a.images));
    expect(Array.from(all.images.subarray(2 * CIFAR_PIXELS))).toEqual(Array.from(b.images));
    expect(concatImageSets([], 784).count).toBe(0);
  });

  it('rejects a set whose sizes do not match', () => {
    const a = parseCifarBatch(batch([[1]]), 'a', 'cifar10');
    expect(() => concatImageSets([a], 784)).toThrow(RangeError);
  });
});

describe('CIFAR names', () => {
  it('lists class names and the official file names', () => {
    expect(CIFAR10_CLASSES).toHaveLength(10);
    expect(CIFAR10_CLASSES[0]).toBe('airplane');
    expect(CIFAR10_CLASSES[9]).toBe('truck');
    expect(CIFAR100_FINE_CLASSES).toHaveLength(100);
    expect(new Set(CIFAR100_FINE_CLASSES).size).toBe(100);
    expect(CIFAR100_COARSE_CLASSES).toHaveLength(20);
    expect(cifarClassNames('cifar100', 'coarse')).toBe(CIFAR100_COARSE_CLASSES);
    expect(cifarFiles('cifar10')).toEqual({
      dir: 'cifar-10-batches-bin',
      train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
      test: ['test_batch.bin'],
    });
    expect(cifarFiles('cifar100')).toEqual({ dir: 'cifar-100-binary', train: ['train.bin'], test: ['test.bin'] });
  });
});
