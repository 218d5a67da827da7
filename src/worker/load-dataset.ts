import { type Dataset, FASHION_MNIST_CLASSES, FASHION_MNIST_FILES, loadIdxDataset } from '../engine';

/** Fetches the shipped Fashion-MNIST from this origin (public/data), so the page works offline. */
export function loadShippedFashionMnist(): Promise<Dataset> {
  const base = new URL(`${import.meta.env.BASE_URL}data/fashion-mnist/`, self.location.origin);
  return loadIdxDataset(
    'fashion-mnist',
    async (file) => {
      const res = await fetch(new URL(file, base));
      if (!res.ok) throw new Error(`${file}: HTTP ${res.status} while loading the shipped dataset`);
      return new Uint8Array(await res.arrayBuffer());
    },
    FASHION_MNIST_FILES,
    FASHION_MNIST_CLASSES,
  );
}
