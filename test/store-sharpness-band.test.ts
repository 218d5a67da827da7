import { describe, expect, it } from 'vitest';
import { sharpnessBand } from '../src/store/sharpness-band';

describe('sharpnessBand', () => {
  it('is the mean ± sample standard deviation of the last estimates', () => {
    const est = [2, 4, 6, 8].map((value, i) => ({ step: 10 * (i + 1), value }));
    const band = sharpnessBand(est, 3);
    // From the first full window on: [2,4,6], [4,6,8].
    expect(band.map((b) => b.step)).toEqual([30, 40]);
    expect(band[0].mean).toBe(4);
    expect(band[0].lo).toBeCloseTo(2, 12);
    expect(band[1].mean).toBe(6);
    expect(band[1].hi).toBeCloseTo(8, 12);
    // Two estimates: the smallest window with a spread.
    const two = sharpnessBand(est.slice(0, 2), 2);
    expect(two).toHaveLength(1);
    expect(two[0].hi - two[0].mean).toBeCloseTo(Math.SQRT2, 12);
    expect(sharpnessBand(est.slice(0, 2), 3)).toEqual([]);
  });
});
