import { DataFormatError } from '../format-error';
import type { Dataset } from '../types';
import type { Assembled } from './assembled';
import { assembleCifar } from './cifar-assemble';
import { classifyEntry, type Classified } from './classify';
import { datasetId } from './dataset-id';
import { FileReports } from './file-reports';
import { assembleIdx } from './idx-assemble';
import { idxClassNames } from './idx-class-names';
import { ImportProblem } from './import-problem';
import { DEFAULT_MAX_IMAGE_BYTES, type DatasetImport, type ImportOptions, type InputFile } from './types';
import { settleArchives, unpackInputs } from './unpack';

type Of<K extends Classified['kind']> = Extract<Classified, { kind: K }>;
type Candidate = Of<'idx-images' | 'idx-labels' | 'cifar' | 'cifar-meta'>;

/** Reason of a file whose outcome waits for the dataset to be built. */
const PENDING = 'pending';

const isCandidate = (c: Classified): c is Candidate => c.kind !== 'ignored' && c.kind !== 'refused';

function assemble(candidates: Candidate[], reports: FileReports, maxBytes: number): Assembled {
  const idx = candidates.filter((c): c is Of<'idx-images' | 'idx-labels'> => c.kind === 'idx-images' || c.kind === 'idx-labels');
  const cifar = candidates.filter((c): c is Of<'cifar'> => c.kind === 'cifar');
  const metas = candidates.filter((c): c is Of<'cifar-meta'> => c.kind === 'cifar-meta');
  if (idx.length > 0 && cifar.length > 0) {
    throw new ImportProblem(
      `MNIST-format (IDX) files and CIFAR batches cannot form one dataset: IDX ${idx.map((c) => c.entry.name).join(', ')}; ` +
        `CIFAR ${cifar.map((c) => c.entry.name).join(', ')}. Load one dataset at a time.`,
      [...idx, ...cifar].map((c) => c.entry.name),
    );
  }
  if (idx.length > 0) return assembleIdx(idx, maxBytes);
  if (cifar.length > 0) return assembleCifar(cifar, metas, reports, maxBytes);
  throw new ImportProblem(
    'no dataset files found: expected MNIST-format IDX files (.gz or raw), CIFAR-10/100 binary batches (.bin), ' +
      'or the .tar.gz archive they come in',
    [],
  );
}

/**
 * Turns dropped or fetched files into a labeled dataset: decompresses gzip, unpacks tar archives, recognises
 * MNIST-format IDX files and CIFAR binary batches, checks them, and says for every file whether it was used,
 * ignored or refused and why. Runs in a browser Worker and in Node (no Node APIs).
 */
export async function importDataset(files: InputFile[], opts: ImportOptions = {}): Promise<DatasetImport> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_IMAGE_BYTES;
  if (!(maxBytes > 0) || !Number.isFinite(maxBytes)) throw new RangeError(`maxBytes must be a positive number, got ${maxBytes}`);
  const reports = new FileReports();
  // Data files are barely larger than their images (IDX headers, CIFAR label bytes), so one that unpacks to
  // more than the limit cannot fit: stop decompressing it there.
  const maxUnpacked = Math.ceil((maxBytes * 3074) / 3072) + 1_000_000;
  const { entries, folders, archives } = await unpackInputs(files, reports, maxUnpacked);

  const candidates: Candidate[] = [];
  for (const entry of entries) {
    const c = classifyEntry(entry);
    if (isCandidate(c)) {
      candidates.push(c);
      // Placeholder that keeps the file's place in the list; settled below.
      reports.set(entry.name, 'refused', PENDING);
    } else {
      reports.set(entry.name, c.kind, c.reason);
    }
  }

  let assembled: Assembled | null = null;
  let error: string | undefined;
  let blamed: string[] = [];
  try {
    assembled = assemble(candidates, reports, maxBytes);
  } catch (e) {
    if (e instanceof ImportProblem) {
      error = e.message;
      blamed = e.files;
    } else if (e instanceof DataFormatError) {
      error = e.message;
      blamed = [e.file];
    } else {
      throw e;
    }
  }

  for (const c of candidates) {
    const name = c.entry.name;
    const settled = reports.get(name);
    if (settled && settled.reason !== PENDING) continue;
    const why = assembled?.used.get(name);
    if (why) reports.set(name, 'used', why);
    else if (error) reports.set(name, 'refused', blamed.includes(name) ? error : `not used: the dataset could not be built (${error})`);
    else reports.set(name, 'ignored', c.kind === 'cifar-meta' ? 'CIFAR class names, not used with these files' : 'not used');
  }
  settleArchives(archives, reports);

  if (!assembled) {
    const id = opts.name ? datasetId(opts.name, { format: 'idx', files: [], folders }) : '';
    return { dataset: null, id, notes: [], files: reports.list(), error };
  }
  const id = datasetId(opts.name, { format: assembled.format, files: [...assembled.used.keys()], folders });
  const classNames = assembled.classNames ?? idxClassNames(id, assembled.numClasses);
  const dataset: Dataset = {
    name: id,
    height: assembled.height,
    width: assembled.width,
    channels: assembled.channels,
    numClasses: classNames.length,
    classNames,
    train: assembled.train,
    test: assembled.test,
  };
  return { dataset, id, notes: assembled.notes, files: reports.list() };
}
