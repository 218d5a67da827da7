import { describe, expect, it } from 'vitest';
import { datasetId, idxPrefix, slugify } from '../src/engine/data/import/dataset-id';

describe('dataset ids', () => {
  it('slugifies to lowercase [a-z0-9-]', () => {
    expect(slugify('My Digits (v2)!')).toBe('my-digits-v2');
    expect(slugify('__')).toBe('');
    expect(slugify('x'.repeat(60))).toHaveLength(40);
  });

  it('takes the prefix before the role from IDX names', () => {
    expect(idxPrefix('emnist-letters-train-images-idx3-ubyte.gz')).toBe('emnist-letters');
    expect(idxPrefix('archive.tar/gzip/emnist-balanced-test-labels-idx1-ubyte')).toBe('emnist-balanced');
    expect(idxPrefix('train-images-idx3-ubyte.gz')).toBe('');
    expect(idxPrefix('t10k-labels-idx1-ubyte')).toBe('');
    expect(idxPrefix('kmnist_train_images.idx')).toBe('kmnist');
  });

  it('guesses from files, then folders, then a default, and never takes the shipped id', () => {
    const idx = (files: string[], folders: string[] = []) => ({ format: 'idx' as const, files, folders });
    expect(datasetId(undefined, idx(['emnist-mnist-train-images-idx3-ubyte', 'emnist-mnist-train-labels-idx1-ubyte']))).toBe('emnist-mnist');
    expect(datasetId(undefined, idx(['train-images-idx3-ubyte'], ['KMNIST data']))).toBe('kmnist-data');
    expect(datasetId(undefined, idx(['train-images-idx3-ubyte', 't10k-images-idx3-ubyte']))).toBe('mnist-format');
    expect(datasetId(undefined, idx(['a-train-images', 'b-train-labels']))).toBe('mnist-format');
    expect(datasetId(undefined, { format: 'cifar100', files: [], folders: [] })).toBe('cifar100');
    expect(datasetId(undefined, idx(['fashion-mnist-train-images-idx3-ubyte']))).toBe('fashion-mnist-loaded');
    expect(datasetId('Fashion MNIST', { format: 'cifar10', files: [], folders: [] })).toBe('fashion-mnist-loaded');
    expect(datasetId('***', { format: 'cifar10', files: [], folders: [] })).toBe('cifar10');
  });
});
