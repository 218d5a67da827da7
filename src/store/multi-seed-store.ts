import { create } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { propertySpec, type PlaygroundConfig } from '../config/playground-config';
import type { RunErrorKind } from '../worker/protocol';
import { pairedGain, type PairedGain } from '../engine/vocabulary/paired';

/** How many seeds one repetition may train, and how many it trains unless told otherwise. */
export const SEED_COUNT = { min: 2, max: 10, default: 5 } as const;

/** The two runs a repetition trains for every seed (the FP32 reference is not repeated). */
export const PAIR_RUNS = ['lsq', 'lsq+cr'] as const;
export type PairRun = (typeof PAIR_RUNS)[number];

/** How one run of one seed ended: its final test accuracy (the evaluation after the last step), or why it failed. */
export type RunOutcome =
  | { ok: true; accuracy: number; step: number; samples: number }
  | { ok: false; kind: RunErrorKind; reason: string };

export interface SeedPair {
  seed: number;
  lsq: RunOutcome | null;
  'lsq+cr': RunOutcome | null;
}

/** idle: nothing repeated yet (or cleared); running: a seed is training; finished: every seed ran; stopped: cut short. */
export type RepeatStatus = 'idle' | 'running' | 'finished' | 'stopped';

export interface RepeatPlan {
  /** The page's setup when the repetition began; seed `seeds[i]` is it with only the seed changed. */
  config: PlaygroundConfig;
  /** Its URL hash: the link that reopens it. */
  hash: string;
  seeds: number[];
}

/** Why N cannot be used (null when it can): a whole number in range, and seeds that stay valid from `seed` on. */
export function seedCountProblem(n: number, seed: number): string | null {
  if (!Number.isInteger(n) || n < SEED_COUNT.min || n > SEED_COUNT.max) return `must be a whole number from ${SEED_COUNT.min} to ${SEED_COUNT.max}`;
  const spec = propertySpec('seed');
  const max = spec.kind === 'int' ? spec.max : Infinity;
  if (seed + n - 1 > max) return `is too many from seed ${seed}: seeds stop at ${max}`;
  return null;
}

interface MultiSeedState {
  /** N, the number of seeds the next repetition trains. */
  count: number;
  status: RepeatStatus;
  plan: RepeatPlan | null;
  /** Seeds in order; while running, the last one is the seed in training and may lack outcomes. */
  pairs: SeedPair[];
  /** Sets N; returns why not (and changes nothing) when N is not usable with this seed. */
  setCount(n: number, seed: number): string | null;
  /** Starts a repetition of `config` over seeds config.seed … config.seed + N − 1; returns the first seed. */
  begin(config: PlaygroundConfig, hash: string): number;
  /** One run of the seed in training ended; when both have, the next seed is queued (or the repetition is finished). */
  record(run: PairRun, outcome: RunOutcome): void;
  /** Cuts the repetition short: the seed in training is dropped, finished seeds stay. */
  stop(): void;
  /** Forgets every result (Reset, or a setting changed). */
  clear(): void;
}

const pairOf = (seed: number): SeedPair => ({ seed, lsq: null, 'lsq+cr': null });
export const pairDone = (p: SeedPair): boolean => p.lsq !== null && p['lsq+cr'] !== null;

export const useMultiSeed = create<MultiSeedState>()((set, get) => ({
  count: SEED_COUNT.default,
  status: 'idle',
  plan: null,
  pairs: [],
  setCount: (n, seed) => {
    const problem = seedCountProblem(n, seed);
    if (!problem) set({ count: n });
    return problem;
  },
  begin: (config, hash) => {
    const { count } = get();
    const problem = seedCountProblem(count, config.seed);
    if (problem) throw new RangeError(`${count} seeds ${problem}`);
    const seeds = Array.from({ length: count }, (_, i) => config.seed + i);
    set({ status: 'running', plan: { config, hash, seeds }, pairs: [pairOf(seeds[0])] });
    return seeds[0];
  },
  record: (run, outcome) => {
    const { status, plan, pairs } = get();
    const current = pairs.at(-1);
    // A late report (the repetition was stopped, or this run of the seed already ended) changes nothing.
    if (status !== 'running' || !plan || !current || current[run] !== null) return;
    const done = { ...current, [run]: outcome };
    const next = [...pairs.slice(0, -1), done];
    if (!pairDone(done)) set({ pairs: next });
    else if (next.length === plan.seeds.length) set({ pairs: next, status: 'finished' });
    else set({ pairs: [...next, pairOf(plan.seeds[next.length])] });
  },
  stop: () => {
    const { status, pairs } = get();
    if (status !== 'running') return;
    set({ status: 'stopped', pairs: pairs.filter(pairDone) });
  },
  clear: () => set({ status: 'idle', plan: null, pairs: [] }),
}));

/** What the views and selectors below read: the results, without N and the actions. */
export type RepeatView = Pick<MultiSeedState, 'status' | 'plan' | 'pairs'>;

/** The results for a component; it re-renders only when they change. */
export const useRepeatView = (): RepeatView => useMultiSeed(useShallow((s) => ({ status: s.status, plan: s.plan, pairs: s.pairs })));

/** The seed in training: which one, and its place in the repetition ("seed 3 of 5"); null when none is. */
export function seedInTraining(s: RepeatView): { seed: number; index: number; of: number } | null {
  if (s.status !== 'running' || !s.plan) return null;
  return { seed: s.pairs.at(-1)!.seed, index: s.pairs.length, of: s.plan.seeds.length };
}

/** Seeds whose both runs ended, failed ones included. */
export const finishedPairs = (s: RepeatView): SeedPair[] => s.pairs.filter(pairDone);

/** The seed whose runs the live views show when it is not the page's own (during and after a repetition). */
export function shownSeed(s: RepeatView): number | null {
  if (s.status === 'running') return s.pairs.at(-1)!.seed;
  // A finished repetition leaves its last seed's runs on screen; a stopped one puts the page's runs back.
  if (s.status === 'finished') return s.pairs.at(-1)?.seed ?? null;
  return null;
}

/** Final test accuracy in points, for the seeds where both runs finished. */
export function pairedAccuracies(s: RepeatView): { seed: number; lsq: number; cr: number }[] {
  return s.pairs.flatMap((p) => {
    const a = p.lsq;
    const b = p['lsq+cr'];
    return a?.ok && b?.ok ? [{ seed: p.seed, lsq: 100 * a.accuracy, cr: 100 * b.accuracy }] : [];
  });
}

/** LSQ+CR − LSQ over the seeds where both runs finished, in points; null before the first such seed. */
export function seedGain(s: RepeatView): PairedGain | null {
  const acc = pairedAccuracies(s);
  return acc.length === 0 ? null : pairedGain(acc.map((a) => a.cr), acc.map((a) => a.lsq));
}
