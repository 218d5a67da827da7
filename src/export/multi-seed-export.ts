import type { PlaygroundConfig } from '../config/playground-config';
import type { PairedGain } from '../engine/vocabulary/paired';
import { finishedPairs, seedGain, type RepeatView, type RunOutcome } from '../store/multi-seed-store';
import type { RunErrorKind } from '../worker/protocol';

type OutcomeJson = { testAccuracy: number; step: number; samples: number } | { failed: RunErrorKind; reason: string };

/** A repetition over seeds as exported: the setup, each finished seed's pair, and the paired gain in points. */
export interface MultiSeedJson {
  /** The link that reopens the setup; seed `seeds[i]` is it with only the seed changed. */
  link: string;
  config: PlaygroundConfig;
  status: 'running' | 'finished' | 'stopped';
  /** Every seed the repetition was to train, in order. */
  seeds: number[];
  /** The seeds whose both runs ended; final test accuracy (the evaluation after the last step, whole test split). */
  pairs: { seed: number; lsq: OutcomeJson; 'lsq+cr': OutcomeJson; gainPoints: number | null }[];
  /** LSQ+CR − LSQ over the seeds where both runs finished, in accuracy points. */
  gain: Omit<PairedGain, 'diffs'> | null;
}

function outcomeJson(o: RunOutcome): OutcomeJson {
  return o.ok ? { testAccuracy: o.accuracy, step: o.step, samples: o.samples } : { failed: o.kind, reason: o.reason };
}

/** The repetition for the JSON export (null when there is none); `page` is the page's address without its hash. */
export function multiSeedJson(s: RepeatView, page: string): MultiSeedJson | null {
  if (s.status === 'idle' || !s.plan) return null;
  const gain = seedGain(s);
  return {
    link: `${page}#${s.plan.hash}`,
    config: s.plan.config,
    status: s.status,
    seeds: s.plan.seeds,
    pairs: finishedPairs(s).map((p) => {
      const a = p.lsq!;
      const b = p['lsq+cr']!;
      return { seed: p.seed, lsq: outcomeJson(a), 'lsq+cr': outcomeJson(b), gainPoints: a.ok && b.ok ? 100 * (b.accuracy - a.accuracy) : null };
    }),
    gain: gain && { n: gain.n, mean: gain.mean, std: gain.std, interval: gain.interval, wins: gain.wins, losses: gain.losses, withinNoise: gain.withinNoise },
  };
}
