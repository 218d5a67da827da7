import { describe, expect, it } from 'vitest';
import { lineOf, overlay, type OverlayLine } from '../src/store/chart-data';
import { Downsampler, MAX_POINTS, type Row } from '../src/store/downsample';

type K = 'a' | 'b';
const KEYS = ['a', 'b'] as const;

/** A deterministic, irregular input. */
const valueAt = (step: number) => ({ a: Math.sin(step * 0.37) * 3 + (step % 7), b: step * 0.001 });

/** How many steps each row holds, from the bucket boundaries: bucket k of stride s covers ((k−1)s, ks]. */
function bucketSizes(rows: Row<K>[], stride: number, firstStep = 1): number[] {
  return rows.map((r, i) => {
    const k = Math.ceil(r.step / stride);
    const lo = Math.max((k - 1) * stride + 1, firstStep, i > 0 ? rows[i - 1].step + 1 : -Infinity);
    return r.step - lo + 1;
  });
}

describe('Downsampler', () => {
  it('rejects maxPoints below 2 and defaults to MAX_POINTS (2000)', () => {
    expect(() => new Downsampler(KEYS, 1)).toThrow(RangeError);
    expect(MAX_POINTS).toBe(2000);
    const d = new Downsampler(KEYS);
    for (let s = 1; s <= 2000; s++) d.push(s, valueAt(s));
    expect(d.size).toBe(2000);
    expect(d.bucketSteps).toBe(1);
    d.push(2001, valueAt(2001));
    expect(d.size).toBeLessThanOrEqual(2000);
    expect(d.bucketSteps).toBe(2);
  });

  it('starts empty', () => {
    const d = new Downsampler(KEYS, 10);
    expect(d.size).toBe(0);
    expect(d.rows()).toEqual([]);
  });

  it('under maxPoints keeps every point exactly', () => {
    const d = new Downsampler(KEYS, 100);
    const want: Row<K>[] = [];
    for (let s = 1; s <= 100; s++) {
      const v = valueAt(s);
      d.push(s, v);
      want.push({ step: s, ...v });
    }
    expect(d.size).toBe(100);
    expect(d.bucketSteps).toBe(1);
    expect(d.rows()).toEqual(want);
  });

  it('keeps sparse steps (gaps) exactly while under maxPoints', () => {
    const d = new Downsampler(KEYS, 50);
    const steps = [3, 10, 11, 50, 51, 400];
    for (const s of steps) d.push(s, valueAt(s));
    expect(d.rows()).toEqual(steps.map((s) => ({ step: s, ...valueAt(s) })));
  });

  it('rows() returns a fresh array of fresh objects', () => {
    const d = new Downsampler(KEYS, 10);
    d.push(1, { a: 1, b: 2 });
    const r1 = d.rows();
    r1[0].a = 99;
    r1.push({ step: 5, a: 0, b: 0 });
    expect(d.rows()).toEqual([{ step: 1, a: 1, b: 2 }]);
    expect(d.rows()).not.toBe(d.rows());
  });

  it('does not keep a reference to the pushed values object', () => {
    const d = new Downsampler(KEYS, 10);
    const v = { a: 1, b: 2 };
    d.push(1, v);
    v.a = 100;
    d.push(2, { a: 3, b: 4 });
    expect(d.rows()[0]).toEqual({ step: 1, a: 1, b: 2 });
  });

  describe('100,000 steps into 2000 points', () => {
    const N = 100_000;
    const MAX = 2000;
    const d = new Downsampler(KEYS, MAX);
    let maxSize = 0;
    let sumA = 0;
    let sumB = 0;
    for (let s = 1; s <= N; s++) {
      const v = valueAt(s);
      sumA += v.a;
      sumB += v.b;
      d.push(s, v);
      if (d.size > maxSize) maxSize = d.size;
    }
    const rows = d.rows();

    it('never exceeds maxPoints after any push and ends with more than 1000 rows', () => {
      expect(maxSize).toBe(MAX);
      expect(d.size).toBeLessThanOrEqual(MAX);
      expect(d.size).toBeGreaterThan(1000);
      expect(rows).toHaveLength(d.size);
      // 100,000 / 32 > 2000, 100,000 / 64 ≤ 2000.
      expect(d.bucketSteps).toBe(64);
      expect(d.size).toBe(Math.ceil(N / 64));
    });

    it('row steps are strictly increasing, on bucket ends, and the last is the last step pushed', () => {
      for (let i = 1; i < rows.length; i++) expect(rows[i].step).toBeGreaterThan(rows[i - 1].step);
      for (let i = 0; i < rows.length - 1; i++) expect(rows[i].step % d.bucketSteps).toBe(0);
      expect(rows.at(-1)!.step).toBe(N);
    });

    it('the bucket-size-weighted mean of the rows equals the mean of the input', () => {
      const sizes = bucketSizes(rows, d.bucketSteps);
      expect(sizes.reduce((x, y) => x + y, 0)).toBe(N);
      // Every bucket but the last holds exactly one stride of steps.
      for (const s of sizes.slice(0, -1)) expect(s).toBe(64);
      let wa = 0;
      let wb = 0;
      rows.forEach((r, i) => {
        wa += r.a * sizes[i];
        wb += r.b * sizes[i];
      });
      expect(wa / N).toBeCloseTo(sumA / N, 9);
      expect(wb / N).toBeCloseTo(sumB / N, 9);
    });

    it('each row is the mean of the input over its bucket', () => {
      const stride = d.bucketSteps;
      for (const i of [0, 1, 500, rows.length - 2, rows.length - 1]) {
        const hi = rows[i].step;
        const lo = i === 0 ? 1 : rows[i - 1].step + 1;
        let sa = 0;
        for (let s = lo; s <= hi; s++) sa += valueAt(s).a;
        expect(rows[i].a, `row ${i}`).toBeCloseTo(sa / (hi - lo + 1), 9);
        expect(Math.ceil(lo / stride)).toBe(Math.ceil(hi / stride));
      }
    });
  });

  it('stays within maxPoints at every push for several sizes, with a mean-preserving result', () => {
    for (const max of [2, 3, 7, 64]) {
      const d = new Downsampler(['a'] as const, max);
      let total = 0;
      const n = 1000;
      for (let s = 1; s <= n; s++) {
        d.push(s, { a: s * s });
        total += s * s;
        expect(d.size, `max ${max} step ${s}`).toBeLessThanOrEqual(max);
      }
      const rows = d.rows();
      expect(rows.at(-1)!.step).toBe(n);
      let weighted = 0;
      rows.forEach((r, i) => (weighted += r.a * (r.step - (i === 0 ? 0 : rows[i - 1].step))));
      expect(weighted / total, `max ${max}`).toBeCloseTo(1, 12);
    }
  });

  it('a constant input stays constant', () => {
    const d = new Downsampler(KEYS, 100);
    for (let s = 1; s <= 12_345; s++) d.push(s, { a: 0.1, b: -7 });
    const rows = d.rows();
    expect(rows.length).toBeGreaterThan(50);
    for (const r of rows) {
      expect(r.a).toBeCloseTo(0.1, 12);
      expect(r.b).toBeCloseTo(-7, 12);
    }
  });

  it('a linear input stays strictly monotone', () => {
    const d = new Downsampler(KEYS, 200);
    for (let s = 1; s <= 30_000; s++) d.push(s, { a: 2 * s + 1, b: -0.5 * s });
    const rows = d.rows();
    expect(rows.length).toBeGreaterThan(100);
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i].a).toBeGreaterThan(rows[i - 1].a);
      expect(rows[i].b).toBeLessThan(rows[i - 1].b);
    }
    // The mean of a linear series over a bucket is its value at the bucket's middle.
    const stride = d.bucketSteps;
    expect(rows[0].a).toBeCloseTo(2 * ((1 + stride) / 2) + 1, 9);
  });

  it('two Downsamplers fed the same steps produce rows on identical steps', () => {
    const a = new Downsampler(KEYS, 300);
    const b = new Downsampler(['x'] as const, 300);
    for (let s = 1; s <= 20_000; s++) {
      a.push(s, valueAt(s));
      b.push(s, { x: -s });
    }
    expect(a.bucketSteps).toBe(b.bucketSteps);
    expect(a.rows().map((r) => r.step)).toEqual(b.rows().map((r) => r.step));
  });

  it('a run that is behind lines up with a run that is ahead at the same stride', () => {
    const ahead = new Downsampler(KEYS, 100);
    const behind = new Downsampler(KEYS, 100);
    for (let s = 1; s <= 3000; s++) ahead.push(s, valueAt(s));
    for (let s = 1; s <= 2000; s++) behind.push(s, valueAt(s));
    expect(behind.bucketSteps).toBe(ahead.bucketSteps);
    const aheadSteps = new Set(ahead.rows().map((r) => r.step));
    const behindRows = behind.rows();
    // Every full bucket ends on the same step; only the last, partial bucket ends on the last step pushed.
    for (const r of behindRows.slice(0, -1)) expect(aheadSteps.has(r.step), `step ${r.step}`).toBe(true);
    expect(behindRows.at(-1)!.step).toBe(2000);
    expect(aheadSteps.has(2000)).toBe(false);
  });

  it('pushing in several batches (reading rows in between) equals pushing at once', () => {
    const once = new Downsampler(KEYS, 150);
    const batched = new Downsampler(KEYS, 150);
    for (let s = 1; s <= 10_000; s++) once.push(s, valueAt(s));
    const sizes = [1, 9, 123, 1000, 7, 4000, 4860];
    let s = 1;
    for (const n of sizes) {
      for (let i = 0; i < n; i++, s++) batched.push(s, valueAt(s));
      batched.rows();
      expect(batched.size).toBeLessThanOrEqual(150);
    }
    expect(s - 1).toBe(10_000);
    expect(batched.rows()).toEqual(once.rows());
  });
});

describe('overlay / lineOf', () => {
  it('lineOf yields (step, value) pairs of its rows', () => {
    const rows = [
      { step: 1, loss: 2 },
      { step: 4, loss: 1 },
    ];
    const line = lineOf('lsq', rows, (r) => r.loss * 10);
    expect(line.key).toBe('lsq');
    expect([...line.points()]).toEqual([
      [1, 20],
      [4, 10],
    ]);
    // points() can be read more than once.
    expect([...line.points()]).toHaveLength(2);
  });

  it('merges two series on the union of steps, sorted ascending; a missing point leaves the key unset', () => {
    const a = lineOf('lsq', [{ step: 5 }, { step: 1 }, { step: 3 }], (r) => r.step * 10);
    const b = lineOf('cr', [{ step: 2 }, { step: 3 }, { step: 10 }], (r) => -r.step);
    const rows = overlay([a, b]);
    expect(rows.map((r) => r.step)).toEqual([1, 2, 3, 5, 10]);
    expect(rows).toEqual([
      { step: 1, lsq: 10 },
      { step: 2, cr: -2 },
      { step: 3, lsq: 30, cr: -3 },
      { step: 5, lsq: 50 },
      { step: 10, cr: -10 },
    ]);
    expect('cr' in rows[0]).toBe(false);
    expect(rows[0].cr).toBeUndefined();
    expect('lsq' in rows[1]).toBe(false);
  });

  it('NaN and ±Infinity become null, as does a null value', () => {
    const line: OverlayLine = {
      key: 'v',
      *points() {
        yield [1, NaN];
        yield [2, Infinity];
        yield [3, -Infinity];
        yield [4, null];
        yield [5, 0.5];
      },
    };
    expect(overlay([line])).toEqual([
      { step: 1, v: null },
      { step: 2, v: null },
      { step: 3, v: null },
      { step: 4, v: null },
      { step: 5, v: 0.5 },
    ]);
  });

  it('with logScale values ≤ 0 become null; without it they are kept', () => {
    const line = lineOf('v', [{ step: 1, x: -1 }, { step: 2, x: 0 }, { step: 3, x: 1e-9 }, { step: 4, x: 3 }], (r) => r.x);
    expect(overlay([line], true).map((r) => r.v)).toEqual([null, null, 1e-9, 3]);
    expect(overlay([line], false).map((r) => r.v)).toEqual([-1, 0, 1e-9, 3]);
    expect(overlay([line]).map((r) => r.v)).toEqual([-1, 0, 1e-9, 3]);
  });

  it('no lines, or empty lines, give no rows', () => {
    expect(overlay([])).toEqual([]);
    expect(overlay([lineOf('a', [], () => 1)])).toEqual([]);
  });

  it('overlays downsampled runs of different length on shared steps', () => {
    const a = new Downsampler(['loss'] as const, 50);
    const b = new Downsampler(['loss'] as const, 50);
    for (let s = 1; s <= 1000; s++) a.push(s, { loss: 1 / s });
    for (let s = 1; s <= 900; s++) b.push(s, { loss: 2 / s });
    expect(b.bucketSteps).toBe(a.bucketSteps);
    const rows = overlay([lineOf('a', a.rows(), (r) => r.loss), lineOf('b', b.rows(), (r) => r.loss)], true);
    // b's full buckets end on a's steps (same stride); its last, partial one adds step 900.
    expect(rows.map((r) => r.step)).toEqual([...a.rows().map((r) => r.step), 900].sort((x, y) => x - y));
    const both = rows.filter((r) => 'a' in r && 'b' in r);
    expect(both).toHaveLength(b.size - 1);
    for (const r of both) expect(r.b).toBeGreaterThan(r.a!);
    const at900 = rows.find((r) => r.step === 900)!;
    expect('a' in at900).toBe(false);
    expect(at900.b).toBeGreaterThan(0);
  });
});
