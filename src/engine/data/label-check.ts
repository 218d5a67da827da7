import { DataFormatError } from './format-error';

/**
 * The classes of an IDX dataset whose class names are not known: 0 … the largest training label, each of which must
 * occur among the training labels. Without this, labels that are all 255 (or one stray 200 among 0–9) make a
 * dataset of 256 (201) classes that a model "learns" by always answering the same class.
 */
export function checkedClassCount(trainLabels: Uint8Array, testLabels: Uint8Array, trainFile: string, testFile: string): number {
  const seen = new Uint32Array(256);
  for (const l of trainLabels) seen[l]++;
  let max = 0;
  for (let c = 0; c < 256; c++) if (seen[c] > 0) max = c;
  const present = seen.filter((n) => n > 0).length;
  if (present < 2) {
    throw new DataFormatError(trainFile, `every training label is ${max}; a classifier needs at least 2 classes`);
  }
  const missing: number[] = [];
  for (let c = 0; c <= max; c++) if (seen[c] === 0) missing.push(c);
  if (missing.length > 0) {
    const shown = missing.length > 3 ? `${missing.slice(0, 3).join(', ')} … ${missing[missing.length - 1]} (${missing.length} classes)` : missing.join(', ');
    throw new DataFormatError(
      trainFile,
      `label ${max} is out of range: the labels must be the classes 0–${max} and no training image has label ${shown}`,
    );
  }
  for (const l of testLabels) {
    if (l > max) throw new DataFormatError(testFile, `label ${l} is out of range: the training labels (${trainFile}) go up to ${max}`);
  }
  return max + 1;
}
