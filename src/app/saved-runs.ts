import { encodeConfig } from '../config/url-hash';
import { RUN_LABELS, runsOf, type RunId } from '../config/run-config';
import type { SessionCheckpoint } from '../engine/train/checkpoint';
import { useMultiSeed } from '../store/multi-seed-store';
import { runLog, usePlayground } from '../store/playground-store';
import { addSavedRunsProblem, useSavedRuns } from '../store/saved-runs-store';
import { logUpTo, saveFailure, savedRunProblem, type SavedRun } from './saved-run-format';
import { clearRecords, putRecord, readRecords } from './saved-runs-db';
import { restoreRun, setCheckpointSink } from './run-pool';

/**
 * Runs that survive a reload (main thread): each checkpoint a Worker posts is stored in IndexedDB with the run's
 * setup, metric log and evaluations; when the page opens, runs saved with its setup are put back as they were,
 * paused, for Resume. One tab at a time owns the store (a Web Lock): a second tab trains without saving.
 */
const LOCK_NAME = 'qat-playground-saved-runs';

/** Resolves true when this tab holds the lock (kept until the tab closes), false when another tab does. */
function holdLock(): Promise<boolean> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return Promise.resolve(true);
  return new Promise((resolve) => {
    void locks.request(LOCK_NAME, { ifAvailable: true }, (lock) => {
      resolve(lock !== null);
      return lock ? new Promise<void>(() => undefined) : undefined;
    });
  });
}

/** Saved runs read at start, by setup: the ones of another setup wait for `openOther`. */
let waiting: SavedRun[] = [];

function save(id: RunId, checkpoint: SessionCheckpoint): void {
  if (useSavedRuns.getState().mode !== 'saving') return;
  const { config, runs } = usePlayground.getState();
  const log = runLog(id);
  const view = runs[id];
  // A repetition trains other seeds than the page's setup; those runs are not the page's to restore.
  if (!log || !view || checkpoint.config.seed !== config.seed || useMultiSeed.getState().status === 'running') return;
  const record: SavedRun = {
    version: 1,
    id,
    config,
    savedAt: Date.now(),
    totalSteps: view.totalSteps || checkpoint.config.steps,
    log: logUpTo(log, checkpoint.step),
    evals: view.evals.filter((e) => e.step <= checkpoint.step),
    checkpoint,
    sharpness: view.sharpness.filter((e) => e.step <= checkpoint.step),
    stepSizes: view.stepSizeRows.filter((r) => r.step <= checkpoint.step),
  };
  putRecord(id, record).then(
    () => useSavedRuns.setState((s) => ({ lastSaved: { ...s.lastSaved, [RUN_LABELS[id]]: checkpoint.step } })),
    (err: unknown) => addSavedRunsProblem(`Saving ${RUN_LABELS[id]} at step ${checkpoint.step} failed: ${saveFailure(err)}. It goes on training; its last saved copy is kept.`),
  );
}

/** Puts back every waiting run saved with the page's current setup. */
function restoreMatching(): void {
  const config = usePlayground.getState().config;
  const key = encodeConfig(config);
  const ids = runsOf(config);
  const match = waiting.filter((r) => encodeConfig(r.config) === key && ids.includes(r.id));
  waiting = waiting.filter((r) => !match.includes(r));
  for (const r of match) restoreRun(r.id, r);
  useSavedRuns.setState({
    restored: match.map((r) => ({ label: RUN_LABELS[r.id], step: r.checkpoint.step })),
    otherSetup: waiting.length > 0 ? waiting.map((r) => RUN_LABELS[r.id]).join(', ') : null,
  });
}

async function load(): Promise<void> {
  const records = await readRecords();
  for (const { key, value } of records) {
    let why: string | null;
    try {
      why = savedRunProblem(value);
    } catch (err) {
      why = `it could not be checked (${saveFailure(err)})`;
    }
    if (why) addSavedRunsProblem(`The saved run "${key}" could not be read: ${why}. It was left out; the others are restored.`);
    else waiting.push(value as SavedRun);
  }
}

export const savedRuns = {
  /** Puts the page on the setup of the saved runs that were not restored, and restores them. */
  openOther(): void {
    const first = waiting[0];
    if (!first) return;
    // The config change reconfigures the Workers at once (hash sync); the runs are then put back.
    usePlayground.getState().replaceConfig(first.config, []);
    restoreMatching();
  },
  /** Forgets every saved run (the runs on the page go on, and are saved again from their next checkpoint). */
  async clear(): Promise<void> {
    waiting = [];
    useSavedRuns.setState({ restored: [], otherSetup: null, problems: [], lastSaved: {} });
    try {
      await clearRecords();
    } catch (err) {
      addSavedRunsProblem(`Clearing the saved runs failed: ${saveFailure(err)}`);
    }
  },
};

/** Starts saving (and first restores what was saved); returns the stop. */
export function startSavedRuns(): () => void {
  let stopped = false;
  setCheckpointSink(save);
  void (async () => {
    if (typeof indexedDB === 'undefined') {
      useSavedRuns.setState({ mode: 'unavailable' });
      return;
    }
    if (!(await holdLock())) {
      useSavedRuns.setState({ mode: 'read-only' });
      return;
    }
    try {
      await load();
    } catch (err) {
      addSavedRunsProblem(`The saved runs could not be read: ${saveFailure(err)}`);
    }
    if (stopped) return;
    restoreMatching();
    useSavedRuns.setState({ mode: 'saving' });
  })();
  return () => {
    stopped = true;
    setCheckpointSink(null);
  };
}
