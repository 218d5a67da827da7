import { SHIPPED_DATASET } from '../../config/playground-config';
import type { DatasetInfo } from '../../store/user-data-store';

const KNOWN_LABELS: Record<string, string> = {
  'fashion-mnist': 'Fashion-MNIST',
  cifar10: 'CIFAR-10',
  cifar100: 'CIFAR-100',
  mnist: 'MNIST',
  kmnist: 'KMNIST',
};

export function datasetLabel(id: string): string {
  return KNOWN_LABELS[id] ?? id;
}

/**
 * The picker's entries: the shipped dataset, every dataset loaded on this visit, and the chosen one (or CIFAR-10,
 * which a preset names) marked as not loaded yet.
 */
export function datasetOptions(current: string, loaded: readonly DatasetInfo[]): { value: string; label: string }[] {
  const out = [{ value: SHIPPED_DATASET, label: `${datasetLabel(SHIPPED_DATASET)} (shipped)` }];
  for (const d of loaded) {
    if (d.id === SHIPPED_DATASET) continue;
    out.push({ value: d.id, label: `${datasetLabel(d.id)} (loaded, ${d.width}×${d.height}${d.channels === 3 ? ' RGB' : ''}, ${d.numClasses} classes)` });
  }
  for (const id of new Set([current, 'cifar10'])) {
    if (!out.some((o) => o.value === id)) out.push({ value: id, label: `${datasetLabel(id)} (not loaded: load its files)` });
  }
  return out;
}
