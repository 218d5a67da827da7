import { create } from 'zustand';
import type { InputShape } from '../user-data/images/crop';
import type { DatasetFileStatus, DatasetStage } from '../user-data/import-protocol';

/** One image a person added, decoded at `shape` (a shapeKey). The file is kept to decode it again for another model input. */
export interface PoolImage {
  id: number;
  name: string;
  source: File;
  pixels: Uint8Array;
  shape: string;
}

export interface RefusedImage {
  id: number;
  name: string;
  reason: string;
}

export interface PoolProgress {
  job: number;
  done: number;
  total: number;
  what: 'adding' | 'resizing';
}

/** What the page knows of a loaded dataset; its pixels live in the dataset registry, outside React state. */
export interface DatasetInfo {
  id: string;
  height: number;
  width: number;
  channels: number;
  numClasses: number;
  classNames: string[];
  trainCount: number;
  testCount: number;
  notes: string[];
  files: DatasetFileStatus[];
}

export interface DatasetLoadView {
  job: number;
  source: string;
  status: 'loading' | 'done' | 'failed';
  stage: DatasetStage;
  loaded: number;
  total: number | null;
  files: DatasetFileStatus[];
  notes: string[];
  error: string | null;
  /** The dataset it produced. */
  id: string | null;
}

/** Refusals kept for the list; a drop of thousands of bad files must not grow the page without bound. */
export const MAX_REFUSALS_KEPT = 500;

interface UserDataState {
  /** The model input the pool's images are decoded for. */
  target: InputShape;
  images: PoolImage[];
  refused: RefusedImage[];
  /** Refusals beyond MAX_REFUSALS_KEPT, counted only. */
  refusedUncounted: number;
  progress: PoolProgress[];
  datasets: DatasetInfo[];
  datasetLoad: DatasetLoadView | null;
  setTarget(target: InputShape): void;
  addImages(images: PoolImage[]): void;
  /** Decoded again at another size: pixels replaced, order kept. */
  replacePixels(updates: { id: number; pixels: Uint8Array }[], shape: string): void;
  removeImages(ids: readonly number[]): void;
  clearImages(): void;
  addRefused(refused: RefusedImage[]): void;
  clearRefused(): void;
  setProgress(p: PoolProgress | null, job: number): void;
  addDataset(info: DatasetInfo): void;
  removeDataset(id: string): void;
  setDatasetLoad(view: DatasetLoadView | null): void;
}

export const useUserData = create<UserDataState>()((set) => ({
  target: { height: 28, width: 28, channels: 1 },
  images: [],
  refused: [],
  refusedUncounted: 0,
  progress: [],
  datasets: [],
  datasetLoad: null,
  setTarget: (target) => set({ target }),
  addImages: (images) => set((s) => ({ images: [...s.images, ...images] })),
  replacePixels: (updates, shape) =>
    set((s) => {
      const byId = new Map(updates.map((u) => [u.id, u.pixels]));
      return { images: s.images.map((im) => (byId.has(im.id) ? { ...im, pixels: byId.get(im.id)!, shape } : im)) };
    }),
  removeImages: (ids) =>
    set((s) => {
      const gone = new Set(ids);
      return { images: s.images.filter((im) => !gone.has(im.id)) };
    }),
  clearImages: () => set({ images: [] }),
  addRefused: (refused) =>
    set((s) => {
      const room = Math.max(0, MAX_REFUSALS_KEPT - s.refused.length);
      return { refused: [...s.refused, ...refused.slice(0, room)], refusedUncounted: s.refusedUncounted + Math.max(0, refused.length - room) };
    }),
  clearRefused: () => set({ refused: [], refusedUncounted: 0 }),
  setProgress: (p, job) => set((s) => ({ progress: [...s.progress.filter((q) => q.job !== job), ...(p ? [p] : [])] })),
  addDataset: (info) => set((s) => ({ datasets: [...s.datasets.filter((d) => d.id !== info.id), info] })),
  removeDataset: (id) => set((s) => ({ datasets: s.datasets.filter((d) => d.id !== id) })),
  setDatasetLoad: (datasetLoad) => set({ datasetLoad }),
}));
