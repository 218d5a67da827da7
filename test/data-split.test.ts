import { describe, expect, it } from 'vitest';
import { splitTrain } from '../src/engine/data/split';

/** n labels cycling through the classes, so every class has n / numClasses (± 1) examples. */
const cyclic = (n: number, numClasses: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i % numClasses);

function perClass(labels: Uint8Array, idx: Int32Array, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const i of idx) counts[labels[i]]++;
  return counts;
}

describe('splitTrain', () => {
  const labels = cyclic(1000, 10);

  it('is deterministic for a seed and differs between seeds', () => {
    const a = splitTrain(labels, 10, { labeled: 100, validation: 50, seed: 7 });
    const b = splitTrain(labels, 10, { labeled: 100, validation: 50, seed: 7 });
    const c = splitTrain(labels, 10, { labeled: 100, validation: 50, seed: 8 });
    expect(Array.from(a.labeled)).toEqual(Array.from(b.labeled));
    expect(Array.from(a.validation)).toEqual(Array.from(b.validation));
    expect(Array.from(a.unlabeled)).toEqual(Array.from(b.unlabeled));
    expect(Array.from(c.labeled)).not.toEqual(Array.from(a.labeled));
    expect(Array.from(c.validation)).not.toEqual(Array.from(a.validation));
  });

  it('gives disjoint parts covering every index', () => {
    const s = splitTrain(labels, 10, { labeled: 123, validation: 77, seed: 1 });
    expect([s.validation.length, s.labeled.length, s.unlabeled.length]).toEqual([77, 123, 800]);
    const all = [...s.validation, ...s.labeled, ...s.unlabeled].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('stratifies validation and labeled as evenly as possible', () => {
    const s = splitTrain(labels, 10, { labeled: 100, validation: 50, seed: 3 });
    expect(perClass(labels, s.validation, 10)).toEqual(new Array(10).fill(5));
    expect(perClass(labels, s.labeled, 10)).toEqual(new Array(10).fill(10));
    expect(perClass(labels, s.unlabeled, 10)).toEqual(new Array(10).fill(85));
    // 103 = 10 per class + 3 classes with one more, chosen by the seed.
    const counts = perClass(labels, splitTrain(labels, 10, { labeled: 103, validation: 0, seed: 3 }).labeled, 10);
    expect(counts.filter((k) => k === 11)).toHaveLength(3);
    expect(counts.filter((k) => k === 10)).toHaveLength(7);
  });

  it('spreads the remainder over different classes for different seeds', () => {
    const extras = new Set<string>();
    for (let seed = 0; seed < 10; seed++) {
      const counts = perClass(labels, splitTrain(labels, 10, { labeled: 13, validation: 0, seed }).labeled, 10);
      extras.add(counts.map((k, c) => (k === 2 ? c : -1)).filter((c) => c >= 0).join(','));
    }
    expect(extras.size).toBeGreaterThan(1);
  });

  it('caps small classes and gives the rest to larger ones', () => {
    // Class 0 has 3 examples, class 1 has 20, class 2 has 20.
    const skewed = Uint8Array.from([...new Array(3).fill(0), ...new Array(20).fill(1), ...new Array(20).fill(2)]);
    const s = splitTrain(skewed, 3, { labeled: 30, validation: 0, seed: 0 });
    const counts = perClass(skewed, s.labeled, 3);
    expect(counts[0]).toBe(3);
    expect(counts[1] + counts[2]).toBe(27);
    expect(Math.abs(counts[1] - counts[2])).toBeLessThanOrEqual(1);
    // A class absent from the labels is simply skipped.
    const missing = splitTrain(Uint8Array.from([0, 0, 2, 2]), 3, { labeled: 2, validation: 0, seed: 0 });
    expect(perClass(Uint8Array.from([0, 0, 2, 2]), missing.labeled, 3)).toEqual([1, 0, 1]);
  });

  it('allows labeled to take everything left (empty unlabeled)', () => {
    const s = splitTrain(labels, 10, { labeled: 900, validation: 100, seed: 0 });
    expect(s.unlabeled.length).toBe(0);
    expect(perClass(labels, s.labeled, 10)).toEqual(new Array(10).fill(90));
  });

  it('rejects bad arguments with a clear RangeError', () => {
    const bad = (opts: { labeled: number; validation: number; seed: number }, k = 10, l = labels) => () =>
      splitTrain(l, k, opts);
    expect(bad({ labeled: 0, validation: 0, seed: 0 })).toThrow(/labeled must be between 1 and 1000/);
    expect(bad({ labeled: -5, validation: 0, seed: 0 })).toThrow(RangeError);
    expect(bad({ labeled: 951, validation: 50, seed: 0 })).toThrow(/labeled must be between 1 and 950 .*got 951/);
    expect(bad({ labeled: 10, validation: -1, seed: 0 })).toThrow(/validation must be between 0 and 999/);
    expect(bad({ labeled: 10.5, validation: 0, seed: 0 })).toThrow(/labeled must be a whole number, got 10.5/);
    expect(bad({ labeled: 10, validation: Number.NaN, seed: 0 })).toThrow(/validation must be a whole number/);
    expect(bad({ labeled: 10, validation: 0, seed: Number.NaN })).toThrow(/seed/);
    expect(bad({ labeled: 10, validation: 0, seed: 0 }, 0)).toThrow(/numClasses/);
    expect(bad({ labeled: 10, validation: 0, seed: 0 }, 5)).toThrow(/label 5 at index 5 is out of range for 5 classes/);
    expect(bad({ labeled: 1, validation: 0, seed: 0 }, 10, new Uint8Array(0))).toThrow(/empty/);
  });
});
