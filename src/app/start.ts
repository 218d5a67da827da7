import { startHashSync } from './hash-sync';
import { startRepeatSync } from './multi-seed-runner';
import { startPoolTargetSync } from './pool-target';
import { startPoolSync } from './run-pool';
import { startServiceWorker } from './service-worker';

/**
 * Everything the page's main thread keeps running besides React: the link sync, the training Workers, the
 * unlabeled pool's target, the seed repetitions and the service worker (offline use, isolation headers on plain
 * hosts). Started once, before the first render; returns the stop.
 */
export function startApp(): () => void {
  const stops = [startHashSync(), startPoolSync(), startPoolTargetSync(), startRepeatSync(), startServiceWorker()];
  return () => stops.forEach((stop) => stop());
}
