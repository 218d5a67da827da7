import { FASHION_MNIST_CLASSES } from '../fashion-mnist';

/** Kuzushiji-MNIST's ten hiragana, in label order. */
const KMNIST_CLASSES = ['お', 'き', 'す', 'つ', 'な', 'は', 'ま', 'や', 'れ', 'を'];

/**
 * Class names for an IDX dataset when its id names a known one and the class count agrees; otherwise the
 * label numbers.
 */
export function idxClassNames(id: string, numClasses: number): string[] {
  if (numClasses === 10 && id.includes('fashion')) return [...FASHION_MNIST_CLASSES];
  if (numClasses === 10 && id.includes('kmnist')) return [...KMNIST_CLASSES];
  if (numClasses === 27 && id.includes('letters')) {
    // EMNIST letters: 1–26 are A–Z (upper and lower case together); 0 is unused.
    return ['unused', ...Array.from({ length: 26 }, (_, i) => String.fromCharCode(65 + i))];
  }
  return Array.from({ length: numClasses }, (_, i) => String(i));
}
