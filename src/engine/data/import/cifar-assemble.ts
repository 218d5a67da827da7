import {
  CIFAR_CHANNELS,
  CIFAR_PIXELS,
  CIFAR_SIZE,
  checkCifarBatch,
  cifarClassNames,
  cifarFiles,
  decodeCifarRecords,
  type CifarVariant,
} from '../cifar';
import { DataFormatError } from '../format-error';
import type { ImageSet } from '../types';
import type { Assembled } from './assembled';
import type { Classified } from './classify';
import type { FileReports } from './file-reports';
import { formatBytes } from './gunzip-limited';
import { coverageNotes, holdoutCount, holdoutNote } from './holdout';
import { ImportProblem } from './import-problem';

type CifarItem = Extract<Classified, { kind: 'cifar' }>;
type MetaItem = Extract<Classified, { kind: 'cifar-meta' }>;

const VARIANT_NAME: Record<CifarVariant, string> = { cifar10: 'CIFAR-10', cifar100: 'CIFAR-100' };
const baseOf = (item: { entry: { path: string } }): string => item.entry.path.split('/').pop() ?? item.entry.path;

/** Orders data_batch_2 before data_batch_10. */
const byName = (a: CifarItem, b: CifarItem): number =>
  baseOf(a).localeCompare(baseOf(b), 'en', { numeric: true });

interface Batch {
  item: CifarItem;
  count: number;
}

/** Class names from the distribution's text file when it has the right count, else the known list. */
function pickClassNames(variant: CifarVariant, metas: MetaItem[], reports: FileReports, used: Map<string, string>, notes: string[]): string[] {
  const wanted = variant === 'cifar10' ? 'cifar10' : 'fine';
  const known = [...cifarClassNames(variant)];
  let names: string[] | null = null;
  for (const m of metas) {
    if (m.labels !== wanted || names) {
      const why =
        m.labels === 'coarse'
          ? 'CIFAR-100 coarse class names: the dataset uses the fine labels'
          : m.labels !== wanted
            ? `class names for ${m.labels === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'}, but the batches are ${VARIANT_NAME[variant]}`
            : 'class names already taken from another file';
      reports.set(m.entry.name, 'ignored', why);
      continue;
    }
    if (m.classNames.length !== known.length) {
      reports.set(m.entry.name, 'ignored', `${m.classNames.length} class names, but ${VARIANT_NAME[variant]} has ${known.length}`);
      notes.push(`${m.entry.name} lists ${m.classNames.length} class names, not ${known.length}; the standard names are used.`);
      continue;
    }
    names = m.classNames;
    used.set(m.entry.name, `${known.length} class names`);
  }
  return names ?? known;
}

/**
 * Builds train and test sets from CIFAR binary batches. A batch that cannot be read is refused and the rest
 * are used; each batch is checked first, so the sets are allocated once, at their final size.
 */
export function assembleCifar(items: CifarItem[], metas: MetaItem[], reports: FileReports, maxBytes: number): Assembled {
  const variants = [...new Set(items.map((i) => i.variant))];
  if (variants.length > 1) {
    const list = items.map((i) => `${i.entry.name} (${VARIANT_NAME[i.variant]})`).join(', ');
    throw new ImportProblem(`CIFAR-10 and CIFAR-100 batches cannot be mixed: ${list}`, items.map((i) => i.entry.name));
  }
  const variant = variants[0];
  const name = VARIANT_NAME[variant];
  const notes: string[] = [];
  const used = new Map<string, string>();

  const seen = new Map<string, string>();
  const batches: Batch[] = [];
  for (const item of items) {
    const base = baseOf(item);
    const first = seen.get(base);
    if (first) {
      reports.set(item.entry.name, 'ignored', `same name as ${first}, which is used`);
      continue;
    }
    try {
      batches.push({ item, count: checkCifarBatch(item.entry.bytes, item.entry.name, variant) });
      seen.set(base, item.entry.name);
    } catch (e) {
      if (!(e instanceof DataFormatError)) throw e;
      reports.set(item.entry.name, 'refused', e.reason);
      notes.push(`${item.entry.name} could not be read (see its reason); the other batches are used.`);
    }
  }
  if (batches.length === 0) {
    throw new ImportProblem(`none of the ${name} batches could be read`, []);
  }

  let train = batches.filter((b) => b.item.role === 'train').sort((a, b) => byName(a.item, b.item));
  let test = batches.filter((b) => b.item.role === 'test').sort((a, b) => byName(a.item, b.item));
  if (train.length === 0) {
    [train, test] = [test, []];
    notes.push(`Only test batches were given: they are used for training.`);
  }
  const official = cifarFiles(variant).train;
  const present = new Set(train.map((b) => baseOf(b.item)));
  if ([...present].every((b) => official.includes(b))) {
    const missing = official.filter((f) => !present.has(f));
    if (missing.length > 0) {
      notes.push(`Training on ${present.size} of ${official.length} ${name} training batches (missing ${missing.join(', ')}).`);
    }
  }

  const trainCount = train.reduce((s, b) => s + b.count, 0);
  const testCount = test.reduce((s, b) => s + b.count, 0);
  const total = (trainCount + testCount) * CIFAR_PIXELS;
  if (total > maxBytes) {
    throw new ImportProblem(
      `${formatBytes(total)} of images, more than the ${formatBytes(maxBytes)} this page accepts`,
      batches.map((b) => b.item.entry.name),
    );
  }
  const heldOut = testCount === 0 ? (trainCount >= 2 ? holdoutCount(trainCount) : -1) : 0;
  if (heldOut < 0) {
    throw new ImportProblem(`${name} batches with ${trainCount} image: at least 2 are needed`, batches.map((b) => b.item.entry.name));
  }

  const alloc = (n: number): ImageSet => ({ images: new Uint8Array(n * CIFAR_PIXELS), labels: new Uint8Array(n), count: n });
  const trainSet = alloc(trainCount - heldOut);
  const testSet = alloc(testCount + heldOut);
  const labelKind = 'fine';
  // Records in batch order; with a held-out split, the last ones go to the test set.
  let at = 0;
  for (const b of train) {
    const toTrain = Math.max(0, Math.min(b.count, trainSet.count - at));
    decodeCifarRecords(b.item.entry.bytes, variant, labelKind, 0, toTrain, trainSet.images, trainSet.labels, at);
    if (toTrain < b.count) {
      const rest = b.count - toTrain;
      decodeCifarRecords(b.item.entry.bytes, variant, labelKind, toTrain, rest, testSet.images, testSet.labels, at + toTrain - trainSet.count);
    }
    at += b.count;
    used.set(b.item.entry.name, `${name} batch, ${b.count} images${toTrain < b.count ? ` (${b.count - toTrain} held out for testing)` : ''}, for training`);
  }
  let testAt = heldOut;
  for (const b of test) {
    decodeCifarRecords(b.item.entry.bytes, variant, labelKind, 0, b.count, testSet.images, testSet.labels, testAt);
    testAt += b.count;
    used.set(b.item.entry.name, `${name} batch, ${b.count} images, for testing`);
  }
  if (heldOut > 0) notes.push(holdoutNote(heldOut, trainCount, `the ${name} training batches`));

  const classNames = pickClassNames(variant, metas, reports, used, notes);
  const numClasses = classNames.length;
  notes.push(...coverageNotes(trainSet, testSet, numClasses, { heldOut: heldOut > 0, classesFromLabels: false }));
  return {
    format: variant,
    height: CIFAR_SIZE,
    width: CIFAR_SIZE,
    channels: CIFAR_CHANNELS,
    numClasses,
    classNames,
    train: trainSet,
    test: testSet,
    used,
    notes,
  };
}
