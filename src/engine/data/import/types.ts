import type { Dataset } from '../types';

/** One file as dropped on the page, picked, or fetched: its name and its whole content. */
export interface InputFile {
  name: string;
  bytes: Uint8Array;
}

export interface ImportOptions {
  /** The dataset's id and name; guessed from the file names when absent. */
  name?: string;
  /** Most bytes of decoded images (train + test, HWC uint8) to accept. Default DEFAULT_MAX_IMAGE_BYTES. */
  maxBytes?: number;
}

/** What happened to one file, or one entry of an archive (named `archive/path/in/archive`). */
export interface FileReport {
  name: string;
  /** used: it is in the dataset; ignored: not data (a readme, a folder's metadata); refused: could not be used. */
  status: 'used' | 'ignored' | 'refused';
  reason: string;
}

export interface DatasetImport {
  /** The dataset, or null when none could be built (then `error` says why). */
  dataset: Dataset | null;
  /** Lowercase [a-z0-9-], for the dataset picker and for links; equals dataset.name. */
  id: string;
  /** What a person should know about the result: held-out splits, missing batches, unused classes. */
  notes: string[];
  files: FileReport[];
  error?: string;
}

/** 400 MB: the CIFAR-10 training set is 154 MB of images, MNIST 47 MB. */
export const DEFAULT_MAX_IMAGE_BYTES = 400_000_000;
