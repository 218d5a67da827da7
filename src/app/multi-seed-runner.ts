import type { PlaygroundConfig } from '../config/playground-config';
import type { RunId } from '../config/run-config';
import { encodeConfig } from '../config/url-hash';
import { configureRuns, runCommands } from './run-pool';
import { PAIR_RUNS, seedCountProblem, useMultiSeed } from '../store/multi-seed-store';
import { usePlayground, type RunView } from '../store/playground-store';
import { runOutcome } from '../store/run-outcome';

/** What a repetition asks of the training Workers: run-pool's functions on the page, a fake in tests. */
export interface PairPool {
  configureRuns(c: PlaygroundConfig, ids: readonly RunId[], opts: { start: boolean; fresh?: readonly RunId[] }): void;
  /** Every run back to step 0 with the page's setup. */
  reset(): void;
}

/**
 * Trains the LSQ / LSQ+CR pair once per seed, one seed at a time in the pair's two Workers, and records each run's
 * final test accuracy in the multi-seed store. It follows the runs' views: when both runs of a seed have ended
 * (done or failed), the next seed is configured and started.
 */
export function createRepeatRunner(pool: PairPool) {
  /** True while the runner itself replaces the pair's views: the old seed's "done" must not count for the new one. */
  let switching = false;
  /** Runs whose Worker crashed or lost its device: they get a new Worker for the next seed. */
  const broken = new Set<RunId>();

  function trainSeed(seed: number, start: boolean): void {
    const c = { ...usePlayground.getState().config, seed };
    const fresh = [...broken];
    broken.clear();
    switching = true;
    try {
      pool.configureRuns(c, PAIR_RUNS, { start, fresh });
    } finally {
      switching = false;
    }
  }

  function follow(runs: Partial<Record<RunId, RunView>>): void {
    const ms = useMultiSeed.getState();
    if (switching || ms.status !== 'running') return;
    const before = ms.pairs.length;
    const current = ms.pairs.at(-1)!;
    for (const id of PAIR_RUNS) {
      if (current[id] !== null) continue;
      const outcome = runOutcome(runs[id]);
      if (!outcome) continue;
      if (!outcome.ok && (outcome.kind === 'crashed' || outcome.kind === 'device-lost')) broken.add(id);
      useMultiSeed.getState().record(id, outcome);
    }
    const after = useMultiSeed.getState();
    if (after.status === 'running' && after.pairs.length > before) trainSeed(after.pairs.at(-1)!.seed, true);
  }

  /** Why a repetition cannot start now (null when it can). */
  function problem(): string | null {
    const { config, runs } = usePlayground.getState();
    if (!config.cr) return 'needs the LSQ+CR run: turn CR on';
    if (!runs.lsq || !runs['lsq+cr']) return 'the runs are not set up yet';
    const why = seedCountProblem(useMultiSeed.getState().count, config.seed);
    return why ? `N ${why}` : null;
  }

  return {
    problem,
    /** Follows the runs and the page's setup; returns the function that stops it. */
    watch(): () => void {
      return usePlayground.subscribe((s, prev) => {
        if (s.config !== prev.config) {
          // A new setup: the Workers were already put on it (hash sync), and results of the old one no longer apply.
          useMultiSeed.getState().clear();
          broken.clear();
          return;
        }
        if (s.runs !== prev.runs) follow(s.runs);
      });
    },
    /** Trains seeds s … s + N − 1 (s: the page's seed) for both runs; returns why not when it cannot. */
    start(): string | null {
      const why = problem();
      if (why) return why;
      const { config } = usePlayground.getState();
      trainSeed(useMultiSeed.getState().begin(config, encodeConfig(config)), true);
      return null;
    },
    /**
     * Stops a repetition: finished seeds stay, the seed in training is dropped, and the pair's Workers go back to
     * the page's own setup (ready at step 0), so what the page shows is what its link says.
     */
    stop(): void {
      const ms = useMultiSeed.getState();
      if (ms.status !== 'running') return;
      ms.stop();
      trainSeed(usePlayground.getState().config.seed, false);
    },
    /** Reset: results are forgotten, and every run goes back to step 0 with the page's setup (and seed). */
    reset(): void {
      const ms = useMultiSeed.getState();
      // While and after a repetition the pair's Workers hold another seed.
      if (ms.status === 'running' || ms.status === 'finished') trainSeed(usePlayground.getState().config.seed, false);
      ms.clear();
      broken.clear();
      pool.reset();
    },
  };
}

export const repeatRunner = createRepeatRunner({ configureRuns, reset: runCommands.reset });

/** Starts following the runs for repetitions; returns the function that stops it. */
export const startRepeatSync = (): (() => void) => repeatRunner.watch();
