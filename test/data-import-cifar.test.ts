import { gzipSync } from 'node:zlib';
import { createTar } from 'nanotar';
import { describe, expect, it } from 'vitest';
import { CIFAR100_FINE_CLASSES, CIFAR10_CLASSES, CIFAR_PIXELS } from '../src/engine/data/cifar';
import { importDataset } from '../src/engine/data/import';
import type { DatasetImport } from '../src/engine/data/import';
import { idx, cifarBatchBytes, cifarPixelValue } from './helpers/data-format';

/** A distinct value per (record, channel, pixel) so misplacement shows. */
const pixelValue = cifarPixelValue;
const batch = cifarBatchBytes;

const c10 = (count: number, first = 0): Uint8Array =>
  batch(Array.from({ length: count }, (_, i) => [(first + i) % 10]), first);
const c100 = (count: number, first = 0): Uint8Array =>
  batch(Array.from({ length: count }, (_, i) => [(first + i) % 20, (first + i * 7) % 100]), first);
const gz = (b: Uint8Array): Uint8Array => new Uint8Array(gzipSync(b));
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
/** Pixel (y, x, channel) of image n of an HWC set. */
const at = (images: Uint8Array, n: number, y: number, x: number, c: number): number =>
  images[n * CIFAR_PIXELS + (y * 32 + x) * 3 + c];
const status = (r: DatasetImport, name: string) => r.files.find((f) => f.name === name);

describe('importDataset: CIFAR binary batches', () => {
  it('loads CIFAR-10 batches with a note for the missing ones', async () => {
    const r = await importDataset([
      { name: 'data_batch_2.bin', bytes: c10(3, 3) },
      { name: 'data_batch_1.bin', bytes: c10(3, 0) },
      { name: 'test_batch.bin', bytes: c10(2, 50) },
    ]);
    expect(r.error).toBeUndefined();
    const ds = r.dataset!;
    expect(ds).toMatchObject({ name: 'cifar10', height: 32, width: 32, channels: 3, numClasses: 10 });
    expect(ds.classNames).toEqual([...CIFAR10_CLASSES]);
    expect(ds.train.count).toBe(6);
    expect(ds.test.count).toBe(2);
    // Batches in numeric order, records HWC.
    expect(Array.from(ds.train.labels)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(at(ds.train.images, 4, 5, 7, 2)).toBe(pixelValue(4, 2, 5 * 32 + 7));
    expect(at(ds.test.images, 1, 31, 31, 1)).toBe(pixelValue(51, 1, 1023));
    expect(r.notes.join(' ')).toMatch(/2 of 5 CIFAR-10 training batches \(missing data_batch_3.bin, data_batch_4.bin, data_batch_5.bin\)/);
    expect(r.files.every((f) => f.status === 'used')).toBe(true);
  });

  it('loads CIFAR-100 with fine labels', async () => {
    const r = await importDataset([
      { name: 'train.bin', bytes: c100(4) },
      { name: 'test.bin', bytes: c100(2, 10) },
    ]);
    expect(r.error).toBeUndefined();
    expect(r.id).toBe('cifar100');
    expect(r.dataset!.numClasses).toBe(100);
    expect(r.dataset!.classNames).toEqual([...CIFAR100_FINE_CLASSES]);
    expect(Array.from(r.dataset!.train.labels)).toEqual([0, 7, 14, 21]);
  });

  it('refuses a batch of the wrong length and trains on the rest', async () => {
    const short = c10(3).subarray(0, 3073 * 2 + 100);
    const r = await importDataset([
      { name: 'data_batch_1.bin', bytes: c10(3) },
      { name: 'data_batch_2.bin', bytes: short },
      { name: 'test_batch.bin', bytes: c10(2) },
    ]);
    expect(status(r, 'data_batch_2.bin')).toMatchObject({ status: 'refused' });
    expect(status(r, 'data_batch_2.bin')!.reason).toMatch(/6246 bytes is not a whole number of 3073-byte CIFAR-10 records \(2 records \+ 100 bytes left over\)/);
    expect(r.dataset!.train.count).toBe(3);
    expect(r.notes.join(' ')).toMatch(/data_batch_2.bin could not be read/);
  });

  it('refuses a batch with an out-of-range label', async () => {
    const bad = c10(2);
    bad[3073] = 12;
    const r = await importDataset([
      { name: 'data_batch_1.bin', bytes: c10(6) },
      { name: 'test_batch.bin', bytes: bad },
    ]);
    expect(status(r, 'test_batch.bin')!.reason).toMatch(/record 1 .* label 12 is out of range for CIFAR-10/);
    // No readable test batch left: a test set is held out.
    expect(r.dataset!.test.count).toBe(1);
  });

  it('holds out a test split when there is no test batch', async () => {
    const r = await importDataset([
      { name: 'data_batch_1.bin', bytes: c10(4, 0) },
      { name: 'data_batch_2.bin', bytes: c10(8, 4) },
    ]);
    const ds = r.dataset!;
    expect(ds.train.count).toBe(10);
    expect(ds.test.count).toBe(2);
    expect(Array.from(ds.test.labels)).toEqual([0, 1]);
    expect(at(ds.test.images, 0, 0, 0, 0)).toBe(pixelValue(10, 0, 0));
    expect(at(ds.train.images, 9, 3, 3, 1)).toBe(pixelValue(9, 1, 3 * 32 + 3));
    expect(r.notes.join(' ')).toMatch(/last 2 of the 12 images/);
    expect(status(r, 'data_batch_2.bin')!.reason).toMatch(/2 held out/);
  });

  it('loads gzipped batches and tells the variant from the record length', async () => {
    const r = await importDataset([
      { name: 'part-a.gz', bytes: gz(c100(3)) },
      { name: 'part-b-test', bytes: c100(2) },
    ]);
    expect(r.error).toBeUndefined();
    expect(r.id).toBe('cifar100');
    expect(r.dataset!.test.count).toBe(2);
  });

  it('refuses a length that fits both variants', async () => {
    const both = new Uint8Array(3073 * 3074);
    const r = await importDataset([{ name: 'mystery', bytes: both }]);
    expect(status(r, 'mystery')!.reason).toMatch(/both CIFAR-10 .* and CIFAR-100/);
  });

  it('refuses a text file named like a batch', async () => {
    const r = await importDataset([
      { name: 'data_batch_1.bin', bytes: c10(3) },
      { name: 'test_batch.bin', bytes: text('<!DOCTYPE html><html><body>404 Not Found</body></html>') },
    ]);
    expect(status(r, 'test_batch.bin')!.status).toBe('refused');
    expect(status(r, 'test_batch.bin')!.reason).toMatch(/HTML page .* not a CIFAR-10 batch/);
  });

  it('refuses Python pickle batches with advice', async () => {
    const pickle = new Uint8Array([0x80, 0x02, 0x7d, 0x71, 0x00, 0x28]);
    const r = await importDataset([{ name: 'data_batch_1', bytes: pickle }]);
    expect(status(r, 'data_batch_1')!.reason).toMatch(/pickle.*binary version/);
  });

  it('refuses mixed CIFAR-10 and CIFAR-100 batches, and IDX mixed with CIFAR', async () => {
    const r = await importDataset([
      { name: 'data_batch_1.bin', bytes: c10(3) },
      { name: 'train.bin', bytes: c100(3) },
    ]);
    expect(r.dataset).toBeNull();
    expect(r.error).toMatch(/CIFAR-10 and CIFAR-100 batches cannot be mixed: data_batch_1.bin \(CIFAR-10\), train.bin \(CIFAR-100\)/);

    const m = await importDataset([
      { name: 'data_batch_1.bin', bytes: c10(3) },
      { name: 'train-images-idx3-ubyte', bytes: idx(0x08, [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]) },
      { name: 'train-labels-idx1-ubyte', bytes: idx(0x08, [2], [0, 1]) },
    ]);
    expect(m.dataset).toBeNull();
    expect(m.error).toMatch(/IDX train-images-idx3-ubyte, train-labels-idx1-ubyte; CIFAR data_batch_1.bin/);
    expect(status(m, 'data_batch_1.bin')!.status).toBe('refused');
  });

  it('refuses batches past the byte limit', async () => {
    const r = await importDataset(
      [
        { name: 'data_batch_1.bin', bytes: c10(3) },
        { name: 'test_batch.bin', bytes: c10(2) },
      ],
      { maxBytes: 4 * CIFAR_PIXELS },
    );
    expect(r.dataset).toBeNull();
    expect(r.error).toMatch(/15.4 kB of images, more than the 12.3 kB this page accepts/);
  });
});

describe('importDataset: archives', () => {
  it('unpacks the binary .tar.gz, takes class names from batches.meta.txt and ignores the readme', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    const tar = createTar([
      { name: 'cifar-10-batches-bin/' },
      { name: 'cifar-10-batches-bin/data_batch_1.bin', data: c10(5) },
      { name: 'cifar-10-batches-bin/batches.meta.txt', data: text(`${names.join('\n')}\n\n`) },
      { name: 'cifar-10-batches-bin/test_batch.bin', data: c10(2, 20) },
      { name: 'cifar-10-batches-bin/readme.html', data: text('<html>CIFAR-10</html>') },
    ]);
    const r = await importDataset([{ name: 'cifar-10-binary.tar.gz', bytes: gz(tar) }]);
    expect(r.error).toBeUndefined();
    expect(r.id).toBe('cifar10');
    expect(r.dataset!.classNames).toEqual(names);
    expect(r.dataset!.train.count).toBe(5);
    expect(at(r.dataset!.test.images, 1, 2, 3, 0)).toBe(pixelValue(21, 0, 2 * 32 + 3));
    const p = 'cifar-10-binary.tar.gz/cifar-10-batches-bin/';
    expect(status(r, 'cifar-10-binary.tar.gz')).toMatchObject({ status: 'used' });
    expect(status(r, `${p}data_batch_1.bin`)!.status).toBe('used');
    expect(status(r, `${p}batches.meta.txt`)).toMatchObject({ status: 'used', reason: '10 class names' });
    expect(status(r, `${p}readme.html`)!.status).toBe('ignored');
    expect(r.files.map((f) => f.name)).toEqual([
      'cifar-10-binary.tar.gz',
      `${p}data_batch_1.bin`,
      `${p}batches.meta.txt`,
      `${p}test_batch.bin`,
      `${p}readme.html`,
    ]);
  });

  it('unpacks a CIFAR-100 archive with fine label names', async () => {
    const fine = Array.from({ length: 100 }, (_, i) => `class${i}`);
    const tar = createTar([
      { name: 'cifar-100-binary/train.bin', data: c100(4) },
      { name: 'cifar-100-binary/test.bin', data: c100(2) },
      { name: 'cifar-100-binary/fine_label_names.txt', data: text(fine.join('\n')) },
      { name: 'cifar-100-binary/coarse_label_names.txt', data: text('a\nb\n') },
    ]);
    const r = await importDataset([{ name: 'cifar-100-binary.tar.gz', bytes: gz(tar) }]);
    expect(r.dataset!.classNames).toEqual(fine);
    expect(status(r, 'cifar-100-binary.tar.gz/cifar-100-binary/coarse_label_names.txt')!.status).toBe('ignored');
  });

  it('unpacks a plain tar of gzipped IDX files and names the dataset after its folder', async () => {
    const imgs = idx(0x08, [6, 2, 2], Array.from({ length: 24 }, (_, i) => i));
    const lbls = idx(0x08, [6], [0, 1, 0, 1, 0, 1]);
    const tar = createTar([
      { name: 'my-digits/train-images-idx3-ubyte.gz', data: gz(imgs) },
      { name: 'my-digits/train-labels-idx1-ubyte.gz', data: gz(lbls) },
    ]);
    const r = await importDataset([{ name: 'digits.tar', bytes: tar }]);
    expect(r.error).toBeUndefined();
    expect(r.id).toBe('my-digits');
    expect(r.dataset!.train.count).toBe(5);
  });

  it('refuses the Python version of CIFAR-10 with advice to get the binary one', async () => {
    const tar = createTar([
      { name: 'cifar-10-batches-py/data_batch_1', data: new Uint8Array([0x80, 0x02, 0x7d]) },
      { name: 'cifar-10-batches-py/readme.html', data: text('<html></html>') },
    ]);
    const r = await importDataset([{ name: 'cifar-10-python.tar.gz', bytes: gz(tar) }]);
    expect(r.dataset).toBeNull();
    expect(status(r, 'cifar-10-python.tar.gz')!.status).toBe('refused');
    expect(status(r, 'cifar-10-python.tar.gz')!.reason).toMatch(/Python \(pickle\) version of CIFAR-10.*cifar-10-binary.tar.gz/);
  });

  it('refuses the MATLAB version of CIFAR-100 and a truncated archive', async () => {
    const mat = createTar([{ name: 'cifar-100-matlab/train.mat', data: text('MATLAB 5.0 MAT-file') }]);
    const whole = createTar([{ name: 'cifar-10-batches-bin/data_batch_1.bin', data: c10(3) }]);
    const r = await importDataset([
      { name: 'cifar-100-matlab.tar.gz', bytes: gz(mat) },
      { name: 'cut.tar', bytes: whole.subarray(0, 4000) },
    ]);
    expect(status(r, 'cifar-100-matlab.tar.gz')!.reason).toMatch(/MATLAB version of CIFAR-100.*cifar-100-binary.tar.gz/);
    expect(status(r, 'cut.tar')!.reason).toMatch(/truncated or corrupt tar archive/);
  });
});
