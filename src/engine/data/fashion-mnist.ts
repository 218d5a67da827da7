import { DataFormatError } from './format-error';
import { loadIdxPair } from './idx';
import { checkedClassCount } from './label-check';
import type { Dataset } from './types';

export interface IdxDatasetFiles {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

/** The four files of the original Fashion-MNIST distribution (same names and layout as MNIST). */
export const FASHION_MNIST_FILES: Readonly<IdxDatasetFiles> = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
};

export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

/**
 * Like Promise.all, but when several fail it reports the first in list order rather than the first to finish,
 * so the same bad files always give the same message.
 */
async function allInOrder<T>(promises: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  return results.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
}

/**
 * Loads an MNIST-style dataset of four IDX files (gzipped or not). `readFile` is supplied by the caller — fetch
 * in the browser, fs in Node — so this module runs anywhere.
 */
export async function loadIdxDataset(
  name: string,
  readFile: (fileName: string) => Promise<Uint8Array>,
  files: Readonly<IdxDatasetFiles> = FASHION_MNIST_FILES,
  classNames?: readonly string[],
): Promise<Dataset> {
  const [trainImages, trainLabels, testImages, testLabels] = await allInOrder(
    [files.trainImages, files.trainLabels, files.testImages, files.testLabels].map(readFile),
  );
  const [train, test] = await allInOrder([
    loadIdxPair(trainImages, trainLabels, files.trainImages, files.trainLabels),
    loadIdxPair(testImages, testLabels, files.testImages, files.testLabels),
  ]);
  if (train.height !== test.height || train.width !== test.width || train.channels !== test.channels) {
    throw new DataFormatError(
      `${files.trainImages} + ${files.testImages}`,
      `train and test image sizes differ: ${files.trainImages} has ${train.height}×${train.width}×${train.channels}, ` +
        `${files.testImages} has ${test.height}×${test.width}×${test.channels}`,
    );
  }
  let names: string[];
  if (classNames) {
    for (const [part, labelsFile] of [
      [train, files.trainLabels],
      [test, files.testLabels],
    ] as const) {
      if (part.set.count > 0 && part.maxLabel >= classNames.length) {
        throw new DataFormatError(
          labelsFile,
          `label ${part.maxLabel} is out of range: ${name} has ${classNames.length} classes (0–${classNames.length - 1})`,
        );
      }
    }
    names = [...classNames];
  } else {
    const numClasses = checkedClassCount(train.set.labels, test.set.labels, files.trainLabels, files.testLabels);
    names = Array.from({ length: numClasses }, (_, i) => String(i));
  }
  return {
    name,
    height: train.height,
    width: train.width,
    channels: train.channels,
    numClasses: names.length,
    classNames: names,
    train: train.set,
    test: test.set,
  };
}
