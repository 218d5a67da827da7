import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_FILES,
  loadIdxDataset,
} from '../src/engine/data/fashion-mnist';
import { FASHION_MNIST_DIR, loadFashionMnistNode, readProjectFile } from '../src/node/project-files';
import type { Dataset } from '../src/engine/data/types';
import { asyncFormatError as rejection, idx as idxFile } from './helpers/data-format';

const readReal = (file: string): Promise<Uint8Array> => readProjectFile(`${FASHION_MNIST_DIR}/${file}`);

/** A tiny uint8 IDX file. */
const idx = (shape: number[], values: number[]): Uint8Array => idxFile(0x08, shape, values);

describe('Fashion-MNIST (shipped files)', () => {
  let ds: Dataset;
  beforeAll(async () => {
    ds = await loadFashionMnistNode();
  });

  it('has the documented shape, sizes and classes', () => {
    expect(ds.name).toBe('fashion-mnist');
    expect([ds.height, ds.width, ds.channels]).toEqual([28, 28, 1]);
    expect(ds.numClasses).toBe(10);
    expect(ds.classNames).toEqual(FASHION_MNIST_CLASSES);
    expect(ds.train.count).toBe(60000);
    expect(ds.test.count).toBe(10000);
    expect(ds.train.images.length).toBe(60000 * 784);
    expect(ds.test.images.length).toBe(10000 * 784);
    expect(ds.train.labels.length).toBe(60000);
  });

  it('has 6000 training and 1000 test images per class', () => {
    const count = (labels: Uint8Array): number[] => {
      const c = new Array<number>(10).fill(0);
      for (const l of labels) c[l]++;
      return c;
    };
    expect(count(ds.train.labels)).toEqual(new Array(10).fill(6000));
    expect(count(ds.test.labels)).toEqual(new Array(10).fill(1000));
  });

  it('holds real pixel data', () => {
    // Fashion-MNIST images have black borders and bright content.
    let max = 0;
    let sum = 0;
    for (let i = 0; i < 784; i++) {
      max = Math.max(max, ds.train.images[i]);
      sum += ds.train.images[i];
    }
    expect(ds.train.images[0]).toBe(0);
    expect(max).toBeGreaterThan(200);
    expect(sum / 784).toBeGreaterThan(10);
  });

  it('names the file when one is truncated', async () => {
    const e = await rejection(
      loadIdxDataset('fashion-mnist', async (file) => {
        const bytes = await readReal(file);
        return file === FASHION_MNIST_FILES.testImages ? bytes.subarray(0, bytes.length >> 1) : bytes;
      }),
    );
    expect(e.file).toBe('t10k-images-idx3-ubyte.gz');
    expect(e.message).toContain('t10k-images-idx3-ubyte.gz');
    expect(e.message).toContain('corrupt or truncated gzip data');
  });

  it('names both files when train and test labels are swapped', async () => {
    const e = await rejection(
      loadIdxDataset(
        'fashion-mnist',
        readReal,
        { ...FASHION_MNIST_FILES, trainLabels: FASHION_MNIST_FILES.testLabels, testLabels: FASHION_MNIST_FILES.trainLabels },
        FASHION_MNIST_CLASSES,
      ),
    );
    expect(e.message).toContain('train-images-idx3-ubyte.gz has 60000 images');
    expect(e.message).toContain('t10k-labels-idx1-ubyte.gz has 10000 labels');
  });

  it('names the file when images and labels are swapped', async () => {
    const e = await rejection(
      loadIdxDataset('fashion-mnist', readReal, {
        ...FASHION_MNIST_FILES,
        testImages: FASHION_MNIST_FILES.testLabels,
        testLabels: FASHION_MNIST_FILES.testImages,
      }),
    );
    expect(e.message).toContain('t10k-labels-idx1-ubyte.gz');
    expect(e.message).toContain('swapped');
  });
});

describe('loadIdxDataset (small files)', () => {
  const files = { trainImages: 'ti', trainLabels: 'tl', testImages: 'vi', testLabels: 'vl' };
  const store = (entries: Record<string, Uint8Array>) => async (file: string) => {
    const b = entries[file];
    if (!b) throw new Error(`no such file ${file}`);
    return b;
  };

  it('derives numClasses from the largest label when no names are given', async () => {
    const ds = await loadIdxDataset(
      'tiny',
      store({
        ti: new Uint8Array(gzipSync(idx([3, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]))),
        tl: idx([3], [0, 2, 1]),
        vi: idx([1, 2, 2], [9, 9, 9, 9]),
        vl: idx([1], [2]),
      }),
      files,
    );
    // Classes 0 … the largest training label, each with a training image (gaps and larger test labels are refused:
    // test/data-idx.test.ts).
    expect(ds.numClasses).toBe(3);
    expect(ds.classNames).toEqual(['0', '1', '2']);
    expect(Array.from(ds.train.images)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('rejects train and test of different image sizes, naming both', async () => {
    const e = await rejection(
      loadIdxDataset(
        'tiny',
        store({ ti: idx([1, 2, 2], [0, 0, 0, 0]), tl: idx([1], [0]), vi: idx([1, 1, 3], [0, 0, 0]), vl: idx([1], [0]) }),
        files,
      ),
    );
    expect(e.message).toContain('ti has 2×2×1');
    expect(e.message).toContain('vi has 1×3×1');
  });

  it('rejects a label beyond the class names', async () => {
    const e = await rejection(
      loadIdxDataset(
        'tiny',
        store({ ti: idx([1, 1, 1], [0]), tl: idx([1], [0]), vi: idx([1, 1, 1], [0]), vl: idx([1], [2]) }),
        files,
        ['a', 'b'],
      ),
    );
    expect(e.file).toBe('vl');
    expect(e.message).toContain('label 2 is out of range');
  });
});
