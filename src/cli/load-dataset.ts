import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Dataset, FASHION_MNIST_FILES, loadCifarDataset, loadIdxDataset } from '../engine';
import { loadFashionMnistNode } from '../node/project-files';

async function readIn(dir: string, file: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(join(dir, file));
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    throw new Error(`${join(dir, file)}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** `fashion-mnist` (shipped), `idx:DIR` (MNIST file names, .gz or raw), `cifar10:DIR`, `cifar100:DIR`. */
export async function loadDatasetNode(spec: string): Promise<Dataset> {
  if (spec === 'fashion-mnist') return loadFashionMnistNode();
  const [kind, dir] = [spec.slice(0, spec.indexOf(':')), spec.slice(spec.indexOf(':') + 1)];
  if (kind === 'cifar10' || kind === 'cifar100') return loadCifarDataset(kind, (f) => readIn(dir, f));
  // MNIST-format folders come gzipped or not; take whichever is there.
  const pick = async (gz: string) => readIn(dir, gz).catch(() => readIn(dir, gz.replace(/\.gz$/, '')));
  return loadIdxDataset(dir, pick, FASHION_MNIST_FILES);
}
