import { idxToImageSet, type IdxArray } from '../idx';
import type { ImageSet } from '../types';
import type { Assembled } from './assembled';
import type { Classified } from './classify';
import { formatBytes } from './gunzip-limited';
import { coverageNotes, holdoutCount, holdoutNote } from './holdout';
import { ImportProblem } from './import-problem';

type IdxItem = Extract<Classified, { kind: 'idx-images' | 'idx-labels' }>;

interface Pair {
  images: IdxItem;
  labels: IdxItem;
}

const nameOf = (i: IdxItem): string => i.entry.name;

/** Pairs images with labels: by train/test in the names, or the only two files as one pair. */
function pairUp(items: IdxItem[]): { train: Pair; test: Pair | null } {
  const images = items.filter((i) => i.kind === 'idx-images');
  const labels = items.filter((i) => i.kind === 'idx-labels');
  const all = items.map(nameOf);
  if (images.length === 0) {
    throw new ImportProblem(`${labels.map(nameOf).join(', ')}: labels without an images file; drop the images file too`, all);
  }
  if (labels.length === 0) {
    throw new ImportProblem(`${images.map(nameOf).join(', ')}: images without a labels file; drop the labels file too`, all);
  }
  if (images.length > 2 || labels.length > 2) {
    throw new ImportProblem(
      `too many IDX files (${images.length} images, ${labels.length} labels): expected one images and one labels file ` +
        'for training, and optionally one of each for testing',
      all,
    );
  }
  if (images.length === 1 && labels.length === 1) {
    const [im, lb] = [images[0], labels[0]];
    if (im.role && lb.role && im.role !== lb.role) {
      throw new ImportProblem(
        `${nameOf(im)} holds ${im.role} images but ${nameOf(lb)} holds ${lb.role} labels: drop the matching ${im.role} labels file`,
        all,
      );
    }
    return { train: { images: im, labels: lb }, test: null };
  }
  const byRole = (list: IdxItem[], role: 'train' | 'test', what: string): IdxItem | null => {
    const found = list.filter((i) => i.role === role);
    if (found.length > 1) {
      throw new ImportProblem(`two ${role} ${what} files: ${found.map(nameOf).join(', ')}`, found.map(nameOf));
    }
    return found[0] ?? null;
  };
  const unnamed = items.filter((i) => i.role === null);
  if (unnamed.length > 0) {
    throw new ImportProblem(
      `cannot tell train from test for ${unnamed.map(nameOf).join(', ')}: with more than one pair, ` +
        'file names must say train or test (t10k), as in train-images-idx3-ubyte.gz and t10k-images-idx3-ubyte.gz',
      all,
    );
  }
  const trainImages = byRole(images, 'train', 'images');
  const trainLabels = byRole(labels, 'train', 'labels');
  const testImages = byRole(images, 'test', 'images');
  const testLabels = byRole(labels, 'test', 'labels');
  for (const [im, lb, role] of [
    [trainImages, trainLabels, 'train'],
    [testImages, testLabels, 'test'],
  ] as const) {
    if (im && !lb) throw new ImportProblem(`${nameOf(im)} has no matching ${role} labels file`, all);
    if (lb && !im) throw new ImportProblem(`${nameOf(lb)} has no matching ${role} images file`, all);
  }
  // Two pairs with a role each: both cannot be missing, since roles are set and counts are at most two.
  return {
    train: { images: trainImages!, labels: trainLabels! },
    test: testImages ? { images: testImages, labels: testLabels! } : null,
  };
}

const imageDims = (a: IdxArray) => ({
  count: a.shape[0],
  height: a.shape[1],
  width: a.shape[2],
  channels: a.shape.length === 4 ? a.shape[3] : 1,
});

function checkCounts(p: Pair): void {
  const n = p.images.array.shape[0];
  const m = p.labels.array.shape[0];
  if (n !== m) {
    throw new ImportProblem(
      `image and label counts differ: ${nameOf(p.images)} has ${n} images, ${nameOf(p.labels)} has ${m} labels`,
      [nameOf(p.images), nameOf(p.labels)],
    );
  }
}

function maxOf(a: Uint8Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
}

/** The images [from, from + count) of an IDX array, as a view. */
function sliceIdx(a: IdxArray, from: number, count: number): IdxArray {
  const per = a.shape.slice(1).reduce((x, y) => x * y, 1);
  return {
    dtype: a.dtype,
    shape: [count, ...a.shape.slice(1)],
    data: (a.data as Uint8Array).subarray(from * per, (from + count) * per),
  };
}

/** EMNIST stores each image transposed (column-major); turn it upright in place. */
function transposeImages(set: ImageSet, side: number, channels: number): void {
  const per = side * side * channels;
  const tmp = new Uint8Array(per);
  for (let n = 0; n < set.count; n++) {
    const img = set.images.subarray(n * per, (n + 1) * per);
    tmp.set(img);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        for (let c = 0; c < channels; c++) img[(y * side + x) * channels + c] = tmp[(x * side + y) * channels + c];
      }
    }
  }
}

/** Builds train and test sets from MNIST-format IDX files, checking pairs, sizes, labels and the byte limit. */
export function assembleIdx(items: IdxItem[], maxBytes: number): Assembled {
  const notes: string[] = [];
  for (const i of items) {
    if (i.renamed) {
      const what = i.kind === 'idx-images' ? 'images' : 'labels';
      notes.push(`${nameOf(i)} holds ${what} (by its header), whatever its name says; it is used as ${what}.`);
    }
  }
  const { train, test } = pairUp(items);
  checkCounts(train);
  if (test) checkCounts(test);

  const t = imageDims(train.images.array);
  if (test) {
    const s = imageDims(test.images.array);
    if (s.height !== t.height || s.width !== t.width || s.channels !== t.channels) {
      throw new ImportProblem(
        `train and test image sizes differ: ${nameOf(train.images)} has ${t.height}×${t.width}×${t.channels}, ` +
          `${nameOf(test.images)} has ${s.height}×${s.width}×${s.channels}`,
        [nameOf(train.images), nameOf(test.images)],
      );
    }
  }
  if (t.height === 0 || t.width === 0 || t.channels === 0) {
    throw new ImportProblem(`${nameOf(train.images)}: image size ${t.height}×${t.width}×${t.channels} has a zero dimension`, [
      nameOf(train.images),
    ]);
  }
  if (t.channels !== 1 && t.channels !== 3) {
    throw new ImportProblem(`${nameOf(train.images)}: images with ${t.channels} channels; the page takes grey (1 channel) or RGB (3 channels)`, [
      nameOf(train.images),
    ]);
  }
  const pixels = t.height * t.width * t.channels;
  const total = (t.count + (test ? test.images.array.shape[0] : 0)) * pixels;
  if (total > maxBytes) {
    throw new ImportProblem(
      `${formatBytes(total)} of images, more than the ${formatBytes(maxBytes)} this page accepts`,
      items.map(nameOf),
    );
  }

  const trainLabels = train.labels.array.data as Uint8Array;
  const numClasses = maxOf(trainLabels) + 1;
  if (t.count > 0 && numClasses < 2) {
    throw new ImportProblem(`${nameOf(train.labels)}: every label is 0; a classifier needs at least 2 classes`, [
      nameOf(train.labels),
    ]);
  }
  if (test) {
    const testMax = maxOf(test.labels.array.data as Uint8Array);
    if (testMax >= numClasses) {
      throw new ImportProblem(
        `${nameOf(test.labels)}: label ${testMax} is out of range: the training labels (${nameOf(train.labels)}) ` +
          `run 0–${numClasses - 1}, so the model has ${numClasses} classes`,
        [nameOf(test.labels), nameOf(train.labels)],
      );
    }
  }

  let trainSet: ImageSet;
  let testSet: ImageSet;
  if (test) {
    trainSet = idxToImageSet(train.images.array, train.labels.array, nameOf(train.images), nameOf(train.labels)).set;
    testSet = idxToImageSet(test.images.array, test.labels.array, nameOf(test.images), nameOf(test.labels)).set;
  } else {
    if (t.count < 2) {
      throw new ImportProblem(`${nameOf(train.images)} has ${t.count} image${t.count === 1 ? '' : 's'}; at least 2 are needed`, [
        nameOf(train.images),
      ]);
    }
    // Split the views first, so each part is copied once into a buffer of its own.
    const k = holdoutCount(t.count);
    const keep = t.count - k;
    const { images: im, labels: lb } = train;
    trainSet = idxToImageSet(sliceIdx(im.array, 0, keep), sliceIdx(lb.array, 0, keep), nameOf(im), nameOf(lb)).set;
    testSet = idxToImageSet(sliceIdx(im.array, keep, k), sliceIdx(lb.array, keep, k), nameOf(im), nameOf(lb)).set;
    notes.push(holdoutNote(k, t.count, nameOf(im)));
  }

  if (items.some((i) => /emnist/i.test(i.entry.name)) && t.height === t.width) {
    transposeImages(trainSet, t.height, t.channels);
    transposeImages(testSet, t.height, t.channels);
    notes.push('EMNIST stores its images transposed; they were turned upright.');
  }
  notes.push(...coverageNotes(trainSet, testSet, numClasses, { heldOut: !test, classesFromLabels: true }));

  const size = `${t.height}×${t.width}${t.channels > 1 ? `×${t.channels}` : ''}`;
  const used = new Map<string, string>();
  if (test) {
    used.set(nameOf(train.images), `IDX images: ${trainSet.count} of ${size}, for training`);
    used.set(nameOf(train.labels), `IDX labels: ${trainSet.count}, for training`);
    used.set(nameOf(test.images), `IDX images: ${testSet.count} of ${size}, for testing`);
    used.set(nameOf(test.labels), `IDX labels: ${testSet.count}, for testing`);
  } else {
    const split = `${trainSet.count} for training, ${testSet.count} held out for testing`;
    used.set(nameOf(train.images), `IDX images: ${t.count} of ${size}, ${split}`);
    used.set(nameOf(train.labels), `IDX labels: ${t.count}, ${split}`);
  }
  return {
    format: 'idx',
    height: t.height,
    width: t.width,
    channels: t.channels,
    numClasses,
    classNames: null,
    train: trainSet,
    test: testSet,
    used,
    notes,
  };
}
