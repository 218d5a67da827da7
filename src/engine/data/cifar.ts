import { DataFormatError } from './format-error';
import type { ImageSet } from './types';

/**
 * CIFAR-10 / CIFAR-100 binary batches: fixed-size records with no header. A record is the label byte(s), then
 * 3072 pixel bytes as three 32×32 planes (R, G, B).
 */
export type CifarVariant = 'cifar10' | 'cifar100';
export type CifarLabelKind = 'fine' | 'coarse';

export const CIFAR_SIZE = 32;
export const CIFAR_CHANNELS = 3;
const PLANE = CIFAR_SIZE * CIFAR_SIZE;
export const CIFAR_PIXELS = PLANE * CIFAR_CHANNELS;

export const CIFAR10_CLASSES: readonly string[] = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];

/** In label order, as in the distribution's coarse_label_names.txt. */
export const CIFAR100_COARSE_CLASSES: readonly string[] = [
  'aquatic_mammals', 'fish', 'flowers', 'food_containers', 'fruit_and_vegetables',
  'household_electrical_devices', 'household_furniture', 'insects', 'large_carnivores',
  'large_man-made_outdoor_things', 'large_natural_outdoor_scenes', 'large_omnivores_and_herbivores',
  'medium_mammals', 'non-insect_invertebrates', 'people', 'reptiles', 'small_mammals', 'trees',
  'vehicles_1', 'vehicles_2',
];

/** In label order, as in the distribution's fine_label_names.txt. */
export const CIFAR100_FINE_CLASSES: readonly string[] = [
  'apple', 'aquarium_fish', 'baby', 'bear', 'beaver', 'bed', 'bee', 'beetle', 'bicycle', 'bottle',
  'bowl', 'boy', 'bridge', 'bus', 'butterfly', 'camel', 'can', 'castle', 'caterpillar', 'cattle',
  'chair', 'chimpanzee', 'clock', 'cloud', 'cockroach', 'couch', 'crab', 'crocodile', 'cup', 'dinosaur',
  'dolphin', 'elephant', 'flatfish', 'forest', 'fox', 'girl', 'hamster', 'house', 'kangaroo', 'keyboard',
  'lamp', 'lawn_mower', 'leopard', 'lion', 'lizard', 'lobster', 'man', 'maple_tree', 'motorcycle', 'mountain',
  'mouse', 'mushroom', 'oak_tree', 'orange', 'orchid', 'otter', 'palm_tree', 'pear', 'pickup_truck', 'pine_tree',
  'plain', 'plate', 'poppy', 'porcupine', 'possum', 'rabbit', 'raccoon', 'ray', 'road', 'rocket',
  'rose', 'sea', 'seal', 'shark', 'shrew', 'skunk', 'skyscraper', 'snail', 'snake', 'spider',
  'squirrel', 'streetcar', 'sunflower', 'sweet_pepper', 'table', 'tank', 'telephone', 'television', 'tiger', 'tractor',
  'train', 'trout', 'tulip', 'turtle', 'wardrobe', 'whale', 'willow_tree', 'wolf', 'woman', 'worm',
];

export function cifarClassNames(variant: CifarVariant, labelKind: CifarLabelKind = 'fine'): readonly string[] {
  if (variant === 'cifar10') return CIFAR10_CLASSES;
  return labelKind === 'coarse' ? CIFAR100_COARSE_CLASSES : CIFAR100_FINE_CLASSES;
}

/** File names inside the official binary archives (cifar-10-binary.tar.gz, cifar-100-binary.tar.gz). */
export function cifarFiles(variant: CifarVariant): { dir: string; train: string[]; test: string[] } {
  if (variant === 'cifar10') {
    return {
      dir: 'cifar-10-batches-bin',
      train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`),
      test: ['test_batch.bin'],
    };
  }
  return { dir: 'cifar-100-binary', train: ['train.bin'], test: ['test.bin'] };
}

const VARIANT_NAME: Record<CifarVariant, string> = { cifar10: 'CIFAR-10', cifar100: 'CIFAR-100' };

/** Whole archives are a common wrong drop: they cannot be batches (the first label byte would be out of range). */
function archiveHint(bytes: Uint8Array): string | null {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip-compressed';
  const ustar = [0x75, 0x73, 0x74, 0x61, 0x72];
  if (bytes.length >= 262 && ustar.every((b, i) => bytes[257 + i] === b)) return 'a tar archive';
  return null;
}

/** Bytes of one record: the label byte(s) and the pixels. */
export function cifarRecordBytes(variant: CifarVariant): number {
  return (variant === 'cifar10' ? 1 : 2) + CIFAR_PIXELS;
}

/**
 * Checks a batch without decoding it: length, then every record's label(s). Returns the record count. Throws
 * the errors parseCifarBatch throws, so a caller can size one buffer for many batches before decoding any.
 */
export function checkCifarBatch(bytes: Uint8Array, file: string, variant: CifarVariant): number {
  const name = VARIANT_NAME[variant];
  if (bytes.length === 0) throw new DataFormatError(file, `file is empty (0 bytes), expected ${name} records`);
  const archive = archiveHint(bytes);
  if (archive) {
    throw new DataFormatError(
      file,
      `this is ${archive}, not a ${name} batch: extract the .bin batch files from the downloaded archive first`,
    );
  }
  const recordSize = cifarRecordBytes(variant);
  const count = Math.floor(bytes.length / recordSize);
  const rest = bytes.length - count * recordSize;
  if (rest !== 0) {
    throw new DataFormatError(
      file,
      `${bytes.length} bytes is not a whole number of ${recordSize}-byte ${name} records ` +
        `(${count} record${count === 1 ? '' : 's'} + ${rest} byte${rest === 1 ? '' : 's'} left over)`,
    );
  }
  // CIFAR-100 records hold both labels; check both so a corrupt file fails whichever kind is asked for.
  const fields =
    variant === 'cifar10'
      ? [{ offset: 0, limit: 10, what: 'label' }]
      : [
          { offset: 0, limit: 20, what: 'coarse label' },
          { offset: 1, limit: 100, what: 'fine label' },
        ];
  for (let r = 0; r < count; r++) {
    const rec = r * recordSize;
    for (const f of fields) {
      const v = bytes[rec + f.offset];
      if (v >= f.limit) {
        throw new DataFormatError(
          file,
          `record ${r} (byte offset ${rec + f.offset}): ${f.what} ${v} is out of range for ${name} (expected 0–${f.limit - 1})`,
        );
      }
    }
  }
  return count;
}

/**
 * Decodes records [from, from + count) of a checked batch into HWC `images` and `labels`, starting at image
 * `at` of the destination.
 */
export function decodeCifarRecords(
  bytes: Uint8Array,
  variant: CifarVariant,
  labelKind: CifarLabelKind,
  from: number,
  count: number,
  images: Uint8Array,
  labels: Uint8Array,
  at: number,
): void {
  const labelBytes = variant === 'cifar10' ? 1 : 2;
  const recordSize = labelBytes + CIFAR_PIXELS;
  const keep = variant === 'cifar100' && labelKind === 'fine' ? 1 : 0;
  for (let k = 0; k < count; k++) {
    const rec = (from + k) * recordSize;
    labels[at + k] = bytes[rec + keep];
    const src = rec + labelBytes;
    const dst = (at + k) * CIFAR_PIXELS;
    for (let c = 0; c < CIFAR_CHANNELS; c++) {
      const plane = src + c * PLANE;
      for (let i = 0; i < PLANE; i++) images[dst + i * CIFAR_CHANNELS + c] = bytes[plane + i];
    }
  }
}

/** Parses one binary batch into HWC interleaved pixels. */
export function parseCifarBatch(
  bytes: Uint8Array,
  file: string,
  variant: CifarVariant,
  labelKind: CifarLabelKind = 'fine',
): ImageSet {
  if (variant === 'cifar10' && labelKind === 'coarse') {
    throw new RangeError('CIFAR-10 has no coarse labels');
  }
  const count = checkCifarBatch(bytes, file, variant);
  const images = new Uint8Array(count * CIFAR_PIXELS);
  const labels = new Uint8Array(count);
  decodeCifarRecords(bytes, variant, labelKind, 0, count, images, labels, 0);
  return { images, labels, count };
}

/** Joins image sets (e.g. the five CIFAR-10 training batches) in order. */
export function concatImageSets(sets: ImageSet[], pixelsPerImage: number): ImageSet {
  if (!Number.isInteger(pixelsPerImage) || pixelsPerImage <= 0) {
    throw new RangeError(`pixelsPerImage must be a positive integer, got ${pixelsPerImage}`);
  }
  let count = 0;
  sets.forEach((s, i) => {
    if (s.images.length !== s.count * pixelsPerImage || s.labels.length !== s.count) {
      throw new RangeError(
        `set ${i}: ${s.count} images need ${s.count * pixelsPerImage} pixel bytes and ${s.count} labels, ` +
          `got ${s.images.length} and ${s.labels.length}`,
      );
    }
    count += s.count;
  });
  const images = new Uint8Array(count * pixelsPerImage);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const s of sets) {
    images.set(s.images, at * pixelsPerImage);
    labels.set(s.labels, at);
    at += s.count;
  }
  return { images, labels, count };
}
