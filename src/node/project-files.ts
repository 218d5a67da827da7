import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Dataset, FASHION_MNIST_CLASSES, FASHION_MNIST_FILES, loadIdxDataset } from '../engine';

/** Node only (tests, CLI). Paths are relative to PROJECT_ROOT, or the working directory when unset. */
export async function readProjectFile(relPath: string): Promise<Uint8Array> {
  const buf = await readFile(resolve(process.env.PROJECT_ROOT ?? process.cwd(), relPath));
  // A plain view, so callers never meet Buffer's differing slice() semantics.
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

export const FASHION_MNIST_DIR = 'public/data/fashion-mnist';

export function loadFashionMnistNode(): Promise<Dataset> {
  return loadIdxDataset(
    'fashion-mnist',
    (file) => readProjectFile(`${FASHION_MNIST_DIR}/${file}`),
    FASHION_MNIST_FILES,
    FASHION_MNIST_CLASSES,
  );
}
