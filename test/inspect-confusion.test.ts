/**
 * Per-class and confusion arithmetic on known predictions: the pure helpers the page and exports share, and the
 * confusion matrices evaluateModel gathers from its chunks.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../src/engine/data/types';
import type { Model } from '../src/engine/models/types';
import { evaluateModel } from '../src/engine/train/evaluate';
import { classGains, confusionDiff, confusionOf, confusionTotal, overallAccuracy, perClassAccuracy } from '../src/engine/vocabulary/confusion';
import { crGains, latestSeries, perClassRows } from '../src/store/per-class';
import type { EvalMetrics } from '../src/engine/train/metrics';

const labels = [0, 0, 0, 1, 1, 2, 2, 2, 2];
const lsqPred = [0, 1, 0, 1, 0, 2, 1, 2, 0];
const crPred = [0, 0, 0, 0, 0, 2, 2, 2, 1];

describe('confusion arithmetic', () => {
  it('counts truth × predicted', () => {
    expect(confusionOf(3, labels, lsqPred)).toEqual([
      [2, 1, 0],
      [1, 1, 0],
      [1, 1, 2],
    ]);
  });

  it('gives overall and per-class accuracy, null for an empty class', () => {
    const m = confusionOf(4, labels, lsqPred);
    expect(confusionTotal(m)).toBe(9);
    expect(overallAccuracy(m)).toBeCloseTo(5 / 9, 12);
    expect(perClassAccuracy(m)).toEqual([2 / 3, 1 / 2, 2 / 4, null]);
  });

  it('takes differences and ranks the per-class gains', () => {
    const lsq = confusionOf(3, labels, lsqPred);
    const cr = confusionOf(3, labels, crPred);
    expect(confusionDiff(cr, lsq)).toEqual([
      [1, -1, 0],
      [1, -1, 0],
      [-1, 0, 1],
    ]);
    // Per class: CR 1, 0, 3/4 against LSQ 2/3, 1/2, 1/2.
    const g = classGains(cr, lsq);
    expect(g.map((x) => x.cls)).toEqual([0, 2, 1]);
    expect(g[0].gain).toBeCloseTo(1 / 3, 12);
    expect(g[1].gain).toBeCloseTo(1 / 4, 12);
    expect(g[2].gain).toBeCloseTo(-1 / 2, 12);
  });

  it('refuses predictions outside the matrix', () => {
    expect(() => confusionOf(2, [0, 2], [0, 0])).toThrow(RangeError);
    expect(() => confusionOf(2, [0], [0, 1])).toThrow(RangeError);
  });
});

describe('per-class rows for the page', () => {
  const ev = (step: number, pred: number[], teacher?: number[]): EvalMetrics => ({
    step,
    split: 'test',
    accuracy: 0,
    loss: 0,
    samples: labels.length,
    teacherAccuracy: null,
    agreement: null,
    confusion: confusionOf(3, labels, pred),
    teacherConfusion: teacher ? confusionOf(3, labels, teacher) : null,
  });
  const runs = [
    { id: 'lsq' as const, evals: [ev(5, crPred), ev(10, lsqPred)] },
    { id: 'lsq+cr' as const, evals: [ev(10, crPred, labels)] },
  ];

  it('takes each run’s latest matrix, the teacher after its student', () => {
    const s = latestSeries(runs);
    expect(s.map((x) => [x.key, x.step])).toEqual([
      ['lsq', 10],
      ['lsq+cr', 10],
      ['lsq+cr:teacher', 10],
    ]);
    const rows = perClassRows(['a', 'b'], s);
    expect(rows[0]).toEqual({ cls: 'a', lsq: 2 / 3, 'lsq+cr': 1, 'lsq+cr:teacher': 1 });
    expect(rows[2].cls).toBe('class 2');
  });

  it('names where CR gains and loses most', () => {
    const g = crGains(latestSeries(runs))!;
    expect(g.best.cls).toBe(0);
    expect(g.worst.cls).toBe(1);
    expect(crGains(latestSeries(runs.slice(0, 1)))).toBeNull();
  });
});

describe('evaluateModel', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  // 1×1 grey images whose pixel is the class the stub model predicts; with this normalisation x is the pixel.
  const ds: Dataset = {
    name: 'synthetic',
    height: 1,
    width: 1,
    channels: 1,
    numClasses: 3,
    classNames: ['a', 'b', 'c'],
    train: { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0 },
    test: { images: Uint8Array.from(lsqPred), labels: Uint8Array.from(labels), count: labels.length },
  };
  const norm = { mean: new Float32Array([0]), std: new Float32Array([1 / 255]) };
  const stub = (shift: number): Model =>
    ({
      forward: (x: tf.Tensor4D) => tf.tidy(() => tf.neg(tf.square(tf.sub(tf.reshape(x, [-1, 1]), tf.tensor2d([[0 + shift, 1 + shift, 2 + shift]]))))) as tf.Tensor2D,
    }) as unknown as Model;

  it('returns the student’s and the teacher’s confusion matrices, across chunks', async () => {
    const idx = Int32Array.from(labels, (_, i) => i);
    // Chunks of 4: the matrices must add up across them. The teacher's grid is shifted by one class.
    const r = await evaluateModel(stub(0), ds, ds.test, idx, norm, stub(-1), 4);
    expect(r.confusion).toEqual(confusionOf(3, labels, lsqPred));
    const teacherPred = lsqPred.map((p) => Math.min(2, p + 1));
    expect(r.teacherConfusion).toEqual(confusionOf(3, labels, teacherPred));
    expect(r.accuracy).toBeCloseTo(5 / 9, 6);
    expect(r.teacherAccuracy).toBeCloseTo(overallAccuracy(confusionOf(3, labels, teacherPred)), 6);
    expect(r.agreement).toBeCloseTo(lsqPred.filter((p, i) => p === teacherPred[i]).length / 9, 6);
    expect(Array.from(r.predictions.student)).toEqual(lsqPred);
  });
});

describe('confusion export', () => {
  it('writes every cell of every evaluation with its class accuracy', async () => {
    const { confusionCsv } = await import('../src/export/class-export');
    const m = confusionOf(2, [0, 0, 1], [0, 1, 1]);
    const e: EvalMetrics = { step: 7, split: 'test', accuracy: 2 / 3, loss: 0, samples: 3, teacherAccuracy: null, agreement: null, confusion: m, teacherConfusion: null };
    const csv = confusionCsv([{ id: 'lsq', evals: [e] } as never], ['a', 'b']);
    expect(csv.trim().split('\n')).toEqual([
      'run,step,model,true_class,predicted_class,count,class_accuracy',
      'LSQ,7,student,"a","a",1,0.5',
      'LSQ,7,student,"a","b",1,0.5',
      'LSQ,7,student,"b","a",0,1',
      'LSQ,7,student,"b","b",1,1',
    ]);
  });
});
