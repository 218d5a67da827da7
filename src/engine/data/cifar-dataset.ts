import { CIFAR_CHANNELS, CIFAR_PIXELS, CIFAR_SIZE, cifarClassNames, cifarFiles, concatImageSets, parseCifarBatch, type CifarVariant } from './cifar';
import type { Dataset } from './types';

/** Loads a whole CIFAR-10/100 binary distribution (fine labels) through a caller-supplied file reader. */
export async function loadCifarDataset(variant: CifarVariant, readFile: (fileName: string) => Promise<Uint8Array>): Promise<Dataset> {
  const files = cifarFiles(variant);
  const load = async (names: string[]) =>
    concatImageSets(await Promise.all(names.map(async (f) => parseCifarBatch(await readFile(f), f, variant))), CIFAR_PIXELS);
  const [train, test] = await Promise.all([load(files.train), load(files.test)]);
  const classNames = [...cifarClassNames(variant)];
  return { name: variant, height: CIFAR_SIZE, width: CIFAR_SIZE, channels: CIFAR_CHANNELS, numClasses: classNames.length, classNames, train, test };
}
