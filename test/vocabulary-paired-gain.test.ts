import { describe, expect, it } from 'vitest';
import { pairedGain, tQuantile975 } from '../src/engine/util/paired';

describe('pairedGain', () => {
  it('gives the mean difference with a Student-t 95% interval on known numbers', () => {
    // Differences 1, 2, 3, 4, 5: mean 3, sd sqrt(2.5), t(4) = 2.776 → half-width 2.776·1.5811/√5 = 1.9630.
    const g = pairedGain([11, 12, 13, 14, 15], [10, 10, 10, 10, 10]);
    expect(g.diffs).toEqual([1, 2, 3, 4, 5]);
    expect(g.mean).toBe(3);
    expect(g.std).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(g.interval![0]).toBeCloseTo(3 - 1.963, 3);
    expect(g.interval![1]).toBeCloseTo(3 + 1.963, 3);
    expect(g.wins).toBe(5);
    expect(g.losses).toBe(0);
    expect(g.withinNoise).toBe(false);
  });

  it('calls a gap whose interval covers 0 within seed noise', () => {
    // Differences +0.5, −0.3, +0.4: mean 0.2, sd 0.4359, t(2) = 4.303 → [−0.883, 1.283].
    const g = pairedGain([80.5, 79.7, 80.4], [80, 80, 80]);
    expect(g.mean).toBeCloseTo(0.2, 12);
    expect(g.interval![0]).toBeCloseTo(0.2 - (4.303 * 0.43589) / Math.sqrt(3), 3);
    expect(g.withinNoise).toBe(true);
    expect([g.wins, g.losses]).toEqual([2, 1]);
  });

  it('a single seed has no interval and is always within noise; ties count as neither', () => {
    const g = pairedGain([81], [80]);
    expect(g.interval).toBeNull();
    expect(g.withinNoise).toBe(true);
    expect(pairedGain([1, 2], [1, 1])).toMatchObject({ wins: 1, losses: 0 });
  });

  it('refuses unpaired input', () => {
    expect(() => pairedGain([1, 2], [1])).toThrow(/same number of seeds/);
    expect(() => pairedGain([], [])).toThrow(/at least one seed/);
    expect(tQuantile975(1)).toBe(12.706);
    expect(tQuantile975(100)).toBe(1.96);
    expect(() => tQuantile975(0)).toThrow(RangeError);
  });
});
