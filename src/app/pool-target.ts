import { SHIPPED_DATASET } from '../config/playground-config';
import { usePlayground } from '../store/playground-store';
import { useUserData, type DatasetInfo } from '../store/user-data-store';
import type { InputShape } from '../user-data/images/crop';
import { setPoolTarget } from './pool-actions';

/** Fashion-MNIST's images: what the shipped dataset's models take. */
const SHIPPED_INPUT: InputShape = { height: 28, width: 28, channels: 1 };

/** The input of the chosen dataset; null while it is not loaded (the pool then stays as it is). */
export function inputOf(dataset: string, loaded: readonly DatasetInfo[]): InputShape | null {
  if (dataset === SHIPPED_DATASET) return SHIPPED_INPUT;
  const d = loaded.find((x) => x.id === dataset);
  return d ? { height: d.height, width: d.width, channels: d.channels } : null;
}

/** Keeps the pool decoded for the chosen dataset's input: 28×28 grey for Fashion-MNIST, 32×32 RGB for CIFAR… */
export function startPoolTargetSync(): () => void {
  const apply = () => {
    const shape = inputOf(usePlayground.getState().config.dataset, useUserData.getState().datasets);
    if (shape) setPoolTarget(shape);
  };
  apply();
  const a = usePlayground.subscribe((s, prev) => s.config.dataset !== prev.config.dataset && apply());
  const b = useUserData.subscribe((s, prev) => s.datasets !== prev.datasets && apply());
  return () => {
    a();
    b();
  };
}
