import type { ImageSet } from '../types';

/** Images held out as a test set when none was given: 1/6 (as MNIST's 10k of 70k), at least 1, leaving 1. */
export function holdoutCount(n: number): number {
  if (n < 2) throw new RangeError(`cannot hold out a test set from ${n} image${n === 1 ? '' : 's'}`);
  return Math.min(n - 1, Math.max(1, Math.floor(n / 6)));
}

export function holdoutNote(k: number, n: number, source: string): string {
  return `No test set was given: the last ${k} of the ${n} images in ${source} are held out as the test set (the other ${n - k} train).`;
}

/** Per-class counts of a label array. */
export function classCounts(labels: Uint8Array, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

/** Notes for classes the training set lacks, and for a held-out test set that misses many classes. */
export function coverageNotes(
  train: ImageSet,
  test: ImageSet,
  numClasses: number,
  opts: { heldOut: boolean; classesFromLabels: boolean },
): string[] {
  const notes: string[] = [];
  const trainCounts = classCounts(train.labels, numClasses);
  const empty = trainCounts.flatMap((c, i) => (c === 0 ? [i] : []));
  // Only where the class count comes from the labels does an unused class 0 mean numbering from 1.
  if (opts.classesFromLabels && empty.length === 1 && empty[0] === 0 && numClasses > 2) {
    notes.push(
      `Labels run 1–${numClasses - 1}: class 0 has no training images (EMNIST letters number their classes from 1), ` +
        `so the model gets ${numClasses} outputs, one never used.`,
    );
  } else if (empty.length > 0) {
    const list = empty.length <= 8 ? empty.join(', ') : `${empty.slice(0, 8).join(', ')}…`;
    notes.push(`${empty.length} of ${numClasses} classes have no training images (${list}).`);
  }
  if (opts.heldOut) {
    const testClasses = classCounts(test.labels, numClasses).filter((c) => c > 0).length;
    const trainClasses = numClasses - empty.length;
    if (test.count >= 2 * trainClasses && testClasses < trainClasses / 2) {
      notes.push(
        `The held-out test set has only ${testClasses} of ${trainClasses} classes: the file may be sorted by class, ` +
          'so test accuracy will mislead.',
      );
    }
  }
  return notes;
}
