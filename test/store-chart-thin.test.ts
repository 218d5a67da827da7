import { describe, expect, it } from 'vitest';
import { lineOf, overlay, thinRows, type OverlayRow } from '../src/store/chart-data';
import { latestSeries } from '../src/store/per-class';
import type { EvalMetrics } from '../src/engine/train/metrics';

const rowsOf = (n: number, value: (step: number) => number | null): OverlayRow[] => Array.from({ length: n }, (_, i) => ({ step: i + 1, a: value(i + 1) }) as OverlayRow);

describe('thinRows (what a chart draws)', () => {
  it('leaves rows at or under the limit as they are (the same array)', () => {
    const rows = rowsOf(500, (s) => s);
    expect(thinRows(rows, 500)).toBe(rows);
  });

  it('merges 2,000 rows into at most 500 buckets of equal step spans, each the mean of its values at its last step', () => {
    const out = thinRows(rowsOf(2000, (s) => s), 500);
    expect(out).toHaveLength(500);
    // Buckets of 4 steps: (0, 4], (4, 8], …
    expect(out[0]).toEqual({ step: 4, a: 2.5 });
    expect(out[1]).toEqual({ step: 8, a: 6.5 });
    expect(out.at(-1)).toEqual({ step: 2000, a: 1998.5 });
  });

  it('averages each line over the values it has in a bucket; a line with none there is a gap', () => {
    const lsq = rowsOf(1000, (s) => 2 * s).map((r) => ({ step: r.step, lsq: r.a }));
    const evals = [{ step: 100, accuracy: 0.5 }, { step: 998, accuracy: 0.75 }];
    const rows = overlay([lineOf('lsq', lsq, (r) => r.lsq), lineOf('test', evals, (e) => e.accuracy)]);
    const out = thinRows(rows, 100);
    expect(out.length).toBeLessThanOrEqual(100);
    // Buckets of 10 steps; the evaluations land in the buckets that hold their steps, unchanged.
    expect(out.find((r) => r.step === 100)).toEqual({ step: 100, lsq: 2 * 5.5 + 180, test: 0.5 });
    expect(out.find((r) => r.step === 1000)).toEqual({ step: 1000, lsq: 2 * 995.5, test: 0.75 });
    expect(out.filter((r) => r.test != null)).toHaveLength(2);
  });
});

describe('latestSeries keeps its answer while nothing in it changed', () => {
  const matrix = [
    [3, 1],
    [0, 4],
  ];
  const ev = (step: number, confusion: number[][]): EvalMetrics => ({ step, split: 'test', accuracy: 0.5, loss: 1, samples: 8, teacherAccuracy: null, agreement: null, confusion, teacherConfusion: null });

  it('returns the same array for new run views over the same evaluations, and a new one after a new evaluation', () => {
    const first = ev(10, matrix);
    const a = latestSeries([{ id: 'lsq', evals: [first] }]);
    // The views are rebuilt with every metrics batch; the evaluations in them are the same objects.
    const b = latestSeries([{ id: 'lsq', evals: [first] }]);
    expect(b).toBe(a);
    const c = latestSeries([{ id: 'lsq', evals: [first, ev(20, matrix.map((r) => [...r]))] }]);
    expect(c).not.toBe(a);
    expect(c[0].step).toBe(20);
    expect(latestSeries([{ id: 'lsq', evals: [first] }, { id: 'lsq+cr', evals: [ev(10, matrix)] }])).toHaveLength(2);
  });
});
