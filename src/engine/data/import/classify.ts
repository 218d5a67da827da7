import { cifarRecordBytes, type CifarVariant } from '../cifar';
import { DataFormatError } from '../format-error';
import { parseIdx, type IdxArray } from '../idx';
import { describeForeign, foreignKind, looksLikeText } from './content-kind';
import type { Entry } from './unpack';

/** Train or test, from a file name; null when the name does not say. */
export type Role = 'train' | 'test' | null;

export type Classified =
  | { kind: 'idx-images' | 'idx-labels'; entry: Entry; array: IdxArray; role: Role; renamed: boolean }
  | { kind: 'cifar'; entry: Entry; variant: CifarVariant; role: 'train' | 'test' }
  | { kind: 'cifar-meta'; entry: Entry; labels: 'cifar10' | 'fine' | 'coarse'; classNames: string[] }
  | { kind: 'ignored' | 'refused'; entry: Entry; reason: string };

const baseName = (path: string): string => path.split('/').pop() ?? path;

export function roleFromName(path: string): Role {
  const base = baseName(path).toLowerCase();
  if (/(^|[^a-z])(t10k|test)/.test(base)) return 'test';
  if (/(^|[^a-z])train/.test(base)) return 'train';
  return null;
}

const idxNamed = (base: string): boolean => /idx\d|ubyte/.test(base);

/** The CIFAR variant a batch's name or folder gives away, if any. */
export function cifarVariantFromName(path: string): CifarVariant | null {
  const lower = path.toLowerCase();
  const base = baseName(lower);
  if (/^data_batch_\d+\.bin$/.test(base) || base === 'test_batch.bin' || lower.includes('cifar-10-batches-bin/')) {
    return 'cifar10';
  }
  if (base === 'train.bin' || base === 'test.bin' || lower.includes('cifar-100-binary/')) return 'cifar100';
  return null;
}

const META_FILES: Record<string, 'cifar10' | 'fine' | 'coarse'> = {
  'batches.meta.txt': 'cifar10',
  'fine_label_names.txt': 'fine',
  'coarse_label_names.txt': 'coarse',
};

/** Files that come with datasets or from operating systems and are never data. */
function ignorableName(path: string): string | null {
  const lower = path.toLowerCase();
  const base = baseName(lower);
  if (lower.startsWith('__macosx/') || lower.includes('/__macosx/') || base.startsWith('._')) {
    return 'macOS archive metadata, not data';
  }
  if (base === '.ds_store' || base === 'thumbs.db' || base === 'desktop.ini') return 'folder metadata, not data';
  if (/^(readme|license|licence|changelog|citation)/.test(base)) return 'documentation, not data';
  return null;
}

/** Extensions of documents that may travel with a dataset; text ones are passed over quietly. */
const DOC_EXTENSIONS = /\.(txt|html?|md|rst|json|ya?ml|csv|tsv|xml|py|ipynb|sh|pdf)$/;

const PICKLE_ADVICE =
  'download the binary version (cifar-10-binary.tar.gz or cifar-100-binary.tar.gz) from https://www.cs.toronto.edu/~kriz/cifar.html';

/** A quick look at the IDX header, so only plausible files meet the full parser. */
function idxHeaderPlausible(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0 && bytes[1] === 0 && [8, 9, 11, 12, 13, 14].includes(bytes[2]) && bytes[3] >= 1 && bytes[3] <= 4;
}

function classifyIdx(entry: Entry, array: IdxArray): Classified {
  const base = baseName(entry.path).toLowerCase();
  const rank = array.shape.length;
  const dims = array.shape.join('×');
  if (array.dtype !== 'uint8') {
    return {
      kind: 'refused',
      entry,
      reason: `IDX file of ${array.dtype} values (${dims}): expected unsigned bytes (type 08), as MNIST-style images and labels are`,
    };
  }
  if (rank === 3 || rank === 4) {
    return { kind: 'idx-images', entry, array, role: roleFromName(base), renamed: /label/.test(base) };
  }
  if (rank === 1) {
    return { kind: 'idx-labels', entry, array, role: roleFromName(base), renamed: /image/.test(base) };
  }
  return {
    kind: 'refused',
    entry,
    reason: `IDX file with ${rank} dimensions (${dims}): expected images (count×height×width, or ×channels) or labels (count)`,
  };
}

function parseMeta(entry: Entry, labels: 'cifar10' | 'fine' | 'coarse'): Classified {
  if (!looksLikeText(entry.bytes)) {
    return { kind: 'refused', entry, reason: 'expected a text list of class names, one a line; this is not text' };
  }
  const classNames = new TextDecoder()
    .decode(entry.bytes)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  return { kind: 'cifar-meta', entry, labels, classNames };
}

/**
 * Decides what one (decompressed, unpacked) file is: by content first (IDX header, known signatures, CIFAR
 * record length), by name where content alone cannot tell (which CIFAR variant, train or test).
 */
export function classifyEntry(entry: Entry): Classified {
  const { bytes, path } = entry;
  const base = baseName(path).toLowerCase();
  const ignorable = ignorableName(path);
  if (ignorable) return { kind: 'ignored', entry, reason: ignorable };
  const meta = META_FILES[base];
  if (meta) return parseMeta(entry, meta);

  const hinted = cifarVariantFromName(path);
  if (idxHeaderPlausible(bytes) || (idxNamed(base) && !hinted)) {
    try {
      return classifyIdx(entry, parseIdx(bytes, entry.name));
    } catch (e) {
      if (!(e instanceof DataFormatError)) throw e;
      // A CIFAR batch may open with 00 00 (label 0, a black pixel); only a name settles it.
      if (idxNamed(base) || !hinted) {
        if (idxNamed(base) || !fitsCifar(bytes)) return { kind: 'refused', entry, reason: e.reason };
      }
    }
  }

  if (hinted && bytes.length % cifarRecordBytes(hinted) === 0) {
    return { kind: 'cifar', entry, variant: hinted, role: cifarRole(base) };
  }

  const kind = foreignKind(bytes);
  if (kind === 'pickle') {
    return {
      kind: 'refused',
      entry,
      reason: `Python pickle data (the Python version of CIFAR?), which the page cannot read: ${PICKLE_ADVICE}`,
    };
  }
  if (kind === 'matlab') {
    return { kind: 'refused', entry, reason: `a MATLAB .mat file, which the page cannot read: ${PICKLE_ADVICE}` };
  }
  if (kind !== null) {
    const what = describeForeign(bytes) ?? kind;
    if ((kind === 'text' || kind === 'html' || kind === 'pdf') && DOC_EXTENSIONS.test(base)) {
      return { kind: 'ignored', entry, reason: `${what}: not data` };
    }
    const expected = hinted ? `a ${hinted === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'} batch` : 'an IDX file or a CIFAR batch';
    return { kind: 'refused', entry, reason: `this is ${what}, not ${expected}` };
  }

  if (hinted) return { kind: 'cifar', entry, variant: hinted, role: cifarRole(base) };
  const byLength = cifarVariantsByLength(bytes.length);
  if (byLength.length === 1) return { kind: 'cifar', entry, variant: byLength[0], role: cifarRole(base) };
  if (byLength.length === 2) {
    return {
      kind: 'refused',
      entry,
      reason:
        `${bytes.length} bytes is a whole number of both CIFAR-10 (3073-byte) and CIFAR-100 (3074-byte) records, ` +
        'so the variant cannot be told: name it like the official batches (data_batch_1.bin, test_batch.bin for CIFAR-10; train.bin, test.bin for CIFAR-100)',
    };
  }
  if (base.endsWith('.bin')) {
    return {
      kind: 'refused',
      entry,
      reason: `${bytes.length} bytes is not a whole number of CIFAR-10 (3073-byte) or CIFAR-100 (3074-byte) records`,
    };
  }
  return {
    kind: 'refused',
    entry,
    reason:
      'not a recognised format: not gzip, tar, IDX (no 00 00 header) or a CIFAR batch ' +
      `(${bytes.length} bytes is not a whole number of 3073- or 3074-byte records)`,
  };
}

const cifarRole = (base: string): 'train' | 'test' => (base.includes('test') ? 'test' : 'train');

function cifarVariantsByLength(n: number): CifarVariant[] {
  return (['cifar10', 'cifar100'] as const).filter((v) => n > 0 && n % cifarRecordBytes(v) === 0);
}

const fitsCifar = (bytes: Uint8Array): boolean => cifarVariantsByLength(bytes.length).length > 0;
