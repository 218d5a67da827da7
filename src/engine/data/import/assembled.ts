import type { ImageSet } from '../types';

/** Train and test sets built from one group of files, before naming. */
export interface Assembled {
  format: 'idx' | 'cifar10' | 'cifar100';
  height: number;
  width: number;
  channels: number;
  numClasses: number;
  classNames: string[] | null;
  train: ImageSet;
  test: ImageSet;
  /** Why each used file is used, by file name. */
  used: Map<string, string>;
  notes: string[];
}
