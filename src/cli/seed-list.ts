import { knobAt, type NumericRule } from '../engine';
import { UsageError } from './usage-error';

/** The seed knob's largest seed; a range past it would name seeds no run can take. */
const MAX_SEED = (knobAt('seed') as NumericRule).max;
/** A typo like 0-100000000 should be refused, not allocate a hundred million runs. */
const MAX_SEEDS = 10_000;

/**
 * `--seeds`: comma-separated seeds and inclusive ranges, mixed (`0-2,7` is 0, 1, 2, 7). Repeats are dropped; the
 * order given is kept, since it is the order the runs train in.
 */
export function parseSeeds(text: string): number[] {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw new UsageError('--seeds: empty list');
  const seeds: number[] = [];
  for (const item of items) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(item);
    if (!m) throw new UsageError(`--seeds: "${item}" is neither a seed (a whole number ≥ 0) nor a range like 0-4`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to > MAX_SEED) throw new UsageError(`--seeds: "${item}" goes past the largest seed, ${MAX_SEED}`);
    if (to < from) throw new UsageError(`--seeds: the range "${item}" runs backwards (write ${to}-${from})`);
    if (to - from + 1 > MAX_SEEDS) throw new UsageError(`--seeds: the range "${item}" has more than ${MAX_SEEDS} seeds`);
    for (let s = from; s <= to; s++) seeds.push(s);
  }
  const unique = [...new Set(seeds)];
  if (unique.length > MAX_SEEDS) throw new UsageError(`--seeds: more than ${MAX_SEEDS} seeds`);
  return unique;
}
