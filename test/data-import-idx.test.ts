import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { importDataset } from '../src/engine/data/import';
import type { DatasetImport, InputFile } from '../src/engine/data/import';
import { idx } from './helpers/data-format';

const H = 4;
const W = 5;
/** A distinct pixel value per (image, position), so misplaced or reordered images show. */
const pixel = (n: number, i: number): number => (n * 31 + i * 7) % 256;

function images(count: number, h = H, w = W, first = 0): Uint8Array {
  const values: number[] = [];
  for (let n = 0; n < count; n++) for (let i = 0; i < h * w; i++) values.push(pixel(first + n, i));
  return idx(0x08, [count, h, w], values);
}

const labels = (values: number[]): Uint8Array => idx(0x08, [values.length], values);
const cycle = (count: number, classes: number, from = 0): number[] =>
  Array.from({ length: count }, (_, i) => from + (i % classes));
const gz = (b: Uint8Array): Uint8Array => new Uint8Array(gzipSync(b));

function mnistFiles(prefix = '', zip = true, trainLabels = cycle(12, 3), testLabels = cycle(6, 3)): InputFile[] {
  const z = zip ? gz : (b: Uint8Array) => b;
  const ext = zip ? '.gz' : '';
  return [
    { name: `${prefix}train-images-idx3-ubyte${ext}`, bytes: z(images(trainLabels.length)) },
    { name: `${prefix}train-labels-idx1-ubyte${ext}`, bytes: z(labels(trainLabels)) },
    { name: `${prefix}t10k-images-idx3-ubyte${ext}`, bytes: z(images(testLabels.length, H, W, 100)) },
    { name: `${prefix}t10k-labels-idx1-ubyte${ext}`, bytes: z(labels(testLabels)) },
  ];
}

const status = (r: DatasetImport, name: string) => r.files.find((f) => f.name === name);

describe('importDataset: MNIST-format IDX files', () => {
  it('loads four gzipped files as train and test', async () => {
    const r = await importDataset(mnistFiles());
    expect(r.error).toBeUndefined();
    const ds = r.dataset!;
    expect(ds).toMatchObject({ name: 'mnist-format', height: H, width: W, channels: 1, numClasses: 3 });
    expect(ds.classNames).toEqual(['0', '1', '2']);
    expect(ds.train.count).toBe(12);
    expect(ds.test.count).toBe(6);
    expect(ds.train.images[3 * H * W + 2]).toBe(pixel(3, 2));
    expect(ds.test.images[5 * H * W + 19]).toBe(pixel(105, 19));
    expect(Array.from(ds.test.labels)).toEqual(cycle(6, 3));
    expect(r.id).toBe('mnist-format');
    expect(r.files.map((f) => f.status)).toEqual(['used', 'used', 'used', 'used']);
    expect(r.notes.join(' ')).not.toMatch(/held out/);
    // Sets own their buffers, so they can be transferred to a Worker.
    expect(ds.train.images.byteOffset).toBe(0);
    expect(ds.train.images.byteLength).toBe(ds.train.images.buffer.byteLength);
  });

  it('loads raw (not gzipped) files and names a known dataset from the prefix', async () => {
    const r = await importDataset(mnistFiles('kmnist-', false, cycle(20, 10), cycle(10, 10)));
    expect(r.error).toBeUndefined();
    expect(r.id).toBe('kmnist');
    expect(r.dataset!.classNames).toHaveLength(10);
    expect(r.dataset!.classNames[0]).toBe('お');
  });

  it('holds out the last sixth of a single pair as the test set, with a note', async () => {
    const files = mnistFiles().slice(0, 2);
    const r = await importDataset(files);
    expect(r.error).toBeUndefined();
    const ds = r.dataset!;
    expect(ds.train.count).toBe(10);
    expect(ds.test.count).toBe(2);
    // The test set is the last two images, in order.
    expect(ds.test.images[0]).toBe(pixel(10, 0));
    expect(ds.test.images[H * W + 1]).toBe(pixel(11, 1));
    expect(Array.from(ds.test.labels)).toEqual(cycle(12, 3).slice(10));
    expect(r.notes.some((n) => /last 2 of the 12 images/.test(n))).toBe(true);
    expect(status(r, files[0].name)?.reason).toMatch(/10 for training, 2 held out/);
  });

  it('holds out at least one image from a tiny pair', async () => {
    const r = await importDataset([
      { name: 'a-images', bytes: images(3) },
      { name: 'a-labels', bytes: labels([0, 1, 0]) },
    ]);
    expect(r.dataset!.train.count).toBe(2);
    expect(r.dataset!.test.count).toBe(1);
  });

  it('refuses a file with a bad header with the parser’s reason', async () => {
    const files = mnistFiles();
    files[0] = { name: 'train-images-idx3-ubyte', bytes: new TextEncoder().encode('<html>Not Found</html>') };
    const r = await importDataset(files);
    expect(status(r, 'train-images-idx3-ubyte')).toMatchObject({ status: 'refused' });
    expect(status(r, 'train-images-idx3-ubyte')!.reason).toMatch(/not an IDX file: magic bytes 3c 68 74 6d/);
    // What is left is a test pair and train labels: no dataset, and the error names the orphan.
    expect(r.dataset).toBeNull();
    expect(r.error).toMatch(/train-labels-idx1-ubyte.gz has no matching train images file/);
  });

  it('refuses a truncated IDX file and a corrupt gzip', async () => {
    const truncated = images(4).subarray(0, 30);
    const corrupt = gz(images(4)).slice(0, 40);
    const r = await importDataset([
      { name: 'x-train-images-idx3-ubyte', bytes: truncated },
      { name: 'y-train-images-idx3-ubyte.gz', bytes: corrupt },
    ]);
    expect(status(r, 'x-train-images-idx3-ubyte')!.reason).toMatch(/truncated: header promises/);
    expect(status(r, 'y-train-images-idx3-ubyte.gz')!.reason).toMatch(/corrupt or truncated gzip/);
    expect(r.dataset).toBeNull();
    expect(r.error).toMatch(/no dataset files found/);
  });

  it('uses swapped files by their headers, with a note', async () => {
    const files = mnistFiles();
    const [img, lbl] = [files[0].bytes, files[1].bytes];
    files[0] = { ...files[0], bytes: lbl };
    files[1] = { ...files[1], bytes: img };
    const r = await importDataset(files);
    expect(r.error).toBeUndefined();
    expect(r.dataset!.train.count).toBe(12);
    expect(r.notes.some((n) => /train-labels-idx1-ubyte.gz holds images \(by its header\)/.test(n))).toBe(true);
  });

  it('refuses a pair whose counts differ', async () => {
    const files = mnistFiles();
    files[1] = { ...files[1], bytes: gz(labels(cycle(11, 3))) };
    const r = await importDataset(files);
    expect(r.dataset).toBeNull();
    expect(r.error).toMatch(/image and label counts differ: train-images-idx3-ubyte.gz has 12 images, train-labels-idx1-ubyte.gz has 11 labels/);
    expect(status(r, 'train-labels-idx1-ubyte.gz')!.status).toBe('refused');
    expect(status(r, 't10k-images-idx3-ubyte.gz')!.reason).toMatch(/^not used: the dataset could not be built/);
  });

  it('refuses test labels outside the training labels’ range', async () => {
    const r = await importDataset(mnistFiles('', true, cycle(12, 3), [0, 1, 2, 5, 0, 1]));
    expect(r.dataset).toBeNull();
    expect(r.error).toMatch(/t10k-labels-idx1-ubyte.gz: label 5 is out of range: .* run 0–2/);
  });

  it('refuses labels that are all 0', async () => {
    const r = await importDataset(mnistFiles('', true, new Array(12).fill(0), new Array(6).fill(0)));
    expect(r.error).toMatch(/every label is 0/);
  });

  it('refuses train and test sets of different image sizes', async () => {
    const files = mnistFiles();
    files[2] = { ...files[2], bytes: gz(images(6, 5, 5)) };
    const r = await importDataset(files);
    expect(r.dataset).toBeNull();
    expect(r.error).toMatch(/train and test image sizes differ: train-images-idx3-ubyte.gz has 4×5×1, t10k-images-idx3-ubyte.gz has 5×5×1/);
  });

  it('loads EMNIST letters: 27 classes with 0 unused, images turned upright', async () => {
    const side = 3;
    const trainLabels = cycle(30, 26, 1);
    const raw = images(30, side, side);
    const r = await importDataset([
      { name: 'emnist-letters-train-images-idx3-ubyte.gz', bytes: gz(raw) },
      { name: 'emnist-letters-train-labels-idx1-ubyte.gz', bytes: gz(labels(trainLabels)) },
      { name: 'emnist-letters-test-images-idx3-ubyte.gz', bytes: gz(images(6, side, side, 50)) },
      { name: 'emnist-letters-test-labels-idx1-ubyte.gz', bytes: gz(labels(cycle(6, 26, 1))) },
    ]);
    expect(r.error).toBeUndefined();
    expect(r.id).toBe('emnist-letters');
    expect(r.dataset!.numClasses).toBe(27);
    expect(r.dataset!.classNames[1]).toBe('A');
    expect(r.notes.join(' ')).toMatch(/class 0 has no training images/);
    expect(r.notes.join(' ')).toMatch(/transposed/);
    // Pixel (y=0, x=1) of the result is stored pixel (y=1, x=0), i.e. index 3.
    expect(r.dataset!.train.images[1]).toBe(pixel(0, side));
  });

  it('never takes the shipped dataset’s id', async () => {
    const r = await importDataset(mnistFiles('fashion-mnist-'));
    expect(r.id).toBe('fashion-mnist-loaded');
    expect(r.dataset!.name).toBe('fashion-mnist-loaded');
    const named = await importDataset(mnistFiles(), { name: 'My Digits!' });
    expect(named.id).toBe('my-digits');
  });

  it('refuses data past the byte limit before building it', async () => {
    const r = await importDataset(mnistFiles(), { maxBytes: 200 });
    expect(r.dataset).toBeNull();
    expect(r.error).toMatch(/360 bytes of images, more than the 200 bytes this page accepts/);
  });

  it('stops decompressing a file that unpacks past the limit', async () => {
    const big = gz(new Uint8Array(5_000_000));
    const r = await importDataset([{ name: 'zeros.gz', bytes: big }], { maxBytes: 1000 });
    expect(status(r, 'zeros.gz')!.reason).toMatch(/unpacks to more than/);
  });

  it('reports empty files, images and documents', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    const r = await importDataset([
      ...mnistFiles(),
      { name: 'empty.gz', bytes: new Uint8Array(0) },
      { name: 'cat.png', bytes: png },
      { name: 'README.txt', bytes: new TextEncoder().encode('The MNIST database of handwritten digits') },
      { name: 'notes.md', bytes: new TextEncoder().encode('# notes\nsome text') },
    ]);
    expect(r.dataset).not.toBeNull();
    expect(status(r, 'empty.gz')).toMatchObject({ status: 'refused', reason: 'empty file (0 bytes)' });
    expect(status(r, 'cat.png')).toMatchObject({ status: 'refused' });
    expect(status(r, 'cat.png')!.reason).toMatch(/PNG image/);
    expect(status(r, 'README.txt')!.status).toBe('ignored');
    expect(status(r, 'notes.md')!.status).toBe('ignored');
  });

  it('refuses IDX files that are not uint8 images or labels', async () => {
    const r = await importDataset([
      ...mnistFiles(),
      { name: 'weights-idx2-float', bytes: idx(0x0d, [2, 2], [1, 2, 3, 4]) },
      { name: 'table-idx2-ubyte', bytes: idx(0x08, [2, 2], [1, 2, 3, 4]) },
    ]);
    expect(r.dataset).not.toBeNull();
    expect(status(r, 'weights-idx2-float')!.reason).toMatch(/float32 values/);
    expect(status(r, 'table-idx2-ubyte')!.reason).toMatch(/2 dimensions/);
  });

  it('asks for train/test in the names when two pairs cannot be told apart', async () => {
    const r = await importDataset([
      { name: 'a-images', bytes: images(6) },
      { name: 'a-labels', bytes: labels(cycle(6, 3)) },
      { name: 'b-images', bytes: images(6) },
      { name: 'b-labels', bytes: labels(cycle(6, 3)) },
    ]);
    expect(r.error).toMatch(/cannot tell train from test/);
  });
});
