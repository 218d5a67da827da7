/** Messages between the page and the import Worker, which decodes images and parses dataset files off the main thread. */
import type { Dataset } from '../engine/data/types';
import type { InputShape } from './images/crop';
import type { ImageBatch, ImageSource } from './images/import-images';

export interface DatasetFileStatus {
  name: string;
  status: 'used' | 'ignored' | 'refused';
  reason: string;
}

export interface DatasetImportResult {
  /** Null when nothing usable was found; `error` says why. */
  dataset: Dataset | null;
  id: string;
  notes: string[];
  files: DatasetFileStatus[];
  error?: string;
}

export type ImportCommand =
  /** Decode images for the unlabeled pool; `room` is how many more the pool takes. */
  | { type: 'decode-images'; job: number; sources: ImageSource[]; target: InputShape; room: number }
  /** A dataset from dropped files, or from a URL (then `files` is empty). */
  | { type: 'import-dataset'; job: number; files: File[]; url: string | null; name: string | null; allowedOrigins: string[] }
  | { type: 'cancel'; job: number };

export type DatasetStage = 'reading' | 'downloading' | 'unpacking';

export type ImportEvent =
  | { type: 'images'; job: number; batch: ImageBatch }
  | { type: 'images-done'; job: number; accepted: number; refused: number; cancelled: boolean }
  | { type: 'dataset-progress'; job: number; stage: DatasetStage; loaded: number; total: number | null }
  | { type: 'dataset'; job: number; result: DatasetImportResult }
  | { type: 'failed'; job: number; message: string };
