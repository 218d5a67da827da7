import { matchingPreset, type Preset } from '../config/presets';
import type { PlaygroundConfig } from '../config/playground-config';
import type { PairedGain } from '../engine/vocabulary/paired';

/** A preset's measured seed-to-seed spread of LSQ+CR − LSQ (std in points over `seeds` seeds, and how it was measured). */
export type PairedSpread = NonNullable<Preset['pairedSpread']>;

/** Whether a gap can be told from seed noise, in words. */
export interface NoiseVerdict {
  /** true: within seed noise; false: beyond it; null: nothing to judge it by yet. */
  withinNoise: boolean | null;
  text: string;
  /** The command that measured the yardstick, when it is a preset's spread. */
  command?: string;
}

export const points = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(2)} pts`;

/** The spread of the preset this config is (seed and backend aside), if that preset has one. */
export function presetSpread(c: PlaygroundConfig): PairedSpread | null {
  return matchingPreset(c)?.pairedSpread ?? null;
}

export const ONE_SEED = 'one seed: too little to tell a gap from seed noise; Repeat with N seeds';

/**
 * One seed's gap (points) against the spread measured for its preset: gap ± 1.96·std is where the gap of another
 * seed would likely fall, so when that covers 0 this seed's sign could be luck.
 */
export function singleSeedVerdict(gap: number, spread: PairedSpread | null): NoiseVerdict {
  if (!spread) return { withinNoise: null, text: ONE_SEED };
  const half = 1.96 * spread.std;
  const within = gap - half <= 0 && gap + half >= 0;
  const yardstick = `${points(gap)} ± ${half.toFixed(2)} (1.96 × ${spread.std.toFixed(2)}, the spread of CR − LSQ over ${spread.seeds} seeds of this preset)`;
  return {
    withinNoise: within,
    text: within ? `within seed noise: ${yardstick} covers 0` : `beyond seed noise: ${yardstick} leaves out 0`,
    command: spread.command,
  };
}

/** The paired gain over several seeds: its mean and 95% interval, and whether the interval covers 0. */
export function pairedVerdict(g: PairedGain): NoiseVerdict {
  if (!g.interval) return { withinNoise: null, text: ONE_SEED };
  const [lo, hi] = g.interval;
  const range = `mean ${points(g.mean)} over ${g.n} seeds, 95% interval ${lo.toFixed(2)} to ${hi.toFixed(2)}`;
  return { withinNoise: g.withinNoise, text: g.withinNoise ? `${range}: within seed noise` : `${range}: beyond seed noise` };
}

/** "CR ahead on 4 of 5 seeds". */
export function winsText(g: PairedGain): string {
  return `CR ahead on ${g.wins} of ${g.n} seed${g.n === 1 ? '' : 's'}`;
}

/**
 * What the summary's gap row says about noise: the interval of several finished seeds when there are; otherwise
 * this seed's final gap against the preset's spread. A gap before the last step (a 1,000-image test) is not judged.
 */
export function gapVerdict(o: { gap: number; final: boolean; seeds: PairedGain | null; spread: PairedSpread | null }): NoiseVerdict {
  if (o.seeds && o.seeds.n >= 2) return pairedVerdict(o.seeds);
  if (!o.final) return { withinNoise: null, text: 'judged against seed noise after the last step, on the whole test split' };
  return singleSeedVerdict(o.gap, o.spread);
}
