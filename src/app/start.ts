import { startHashSync } from './hash-sync';
import { startRepeatSync } from './multi-seed-runner';
import { startPoolTargetSync } from './pool-target';
import { sendTestCommand, startPoolSync } from './run-pool';
import { startSavedRuns } from './saved-runs';
import { startServiceWorker } from './service-worker';
import { installTestHooks } from './test-hooks';

/**
 * Everything the page's main thread keeps running besides React: the link sync, the training Workers, the
 * unlabeled pool's target, the seed repetitions, the saved runs and the service worker (offline use, isolation headers on plain
 * hosts). Started once, before the first render; returns the stop.
 */
export function startApp(): () => void {
  const stops = [startHashSync(), startPoolSync(), startPoolTargetSync(), startRepeatSync(), startSavedRuns(), startServiceWorker(), installTestHooks(sendTestCommand)];
  return () => stops.forEach((stop) => stop());
}
