import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type PlaygroundConfig } from '../src/config/playground-config';
import type { BackendReport } from '../src/engine/backend/types';
import type { EvalMetrics } from '../src/engine/train/metrics';
import { METRIC_FIELDS, MetricLog } from '../src/store/metric-log';
import { CHART_FIELDS, runLog, usePlayground } from '../src/store/playground-store';
import { compareRuns, summarizeRun } from '../src/store/run-summary';
import { metricBatchOf } from './helpers/metric-batch';
import type { MetricBatch, WorkerEvent } from '../src/worker/protocol';

const report = (name: BackendReport['name'], detail = ''): BackendReport => ({ name, adapter: null, detail, fallbacks: [] });

/** Deterministic metric values of a step, per field. */
const metricOf = (step: number) => ({
  loss: 2 / (1 + step * 0.01) + (step % 3) * 0.01,
  ce: 1.5 / (1 + step * 0.01),
  consistency: 0.1 + (step % 5) * 0.02,
  lambda: Math.min(1, step / 1000),
  accuracy: (step % 10) / 10,
  lr: 0.05 * (1 - step / 100_000),
  msPerStep: 2 + (step % 4),
});

/** A batch of the given steps, as the Worker sends it (typed arrays). */
function batchOf(steps: number[], values: (step: number) => ReturnType<typeof metricOf> = metricOf): MetricBatch {
  return metricBatchOf(steps, values);
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const evalAt = (step: number, accuracy: number, teacherAccuracy: number | null = null): EvalMetrics => ({
  step,
  split: 'test',
  accuracy,
  loss: 1 - accuracy,
  samples: 1000,
  teacherAccuracy,
  agreement: teacherAccuracy === null ? null : 0.9,
});

const store = () => usePlayground.getState();
const apply = (id: 'lsq' | 'lsq+cr', e: WorkerEvent) => store().applyEvent(id, e);

describe('usePlayground', () => {
  beforeEach(() => {
    store().replaceConfig(DEFAULT_CONFIG, []);
    // Backend reports survive resetRuns; dropping every run first starts clean.
    store().resetRuns([]);
    store().resetRuns(['lsq', 'lsq+cr']);
  });

  it('resetRuns creates both runs idle and empty, with fresh logs', () => {
    const runs = store().runs;
    expect(Object.keys(runs).sort()).toEqual(['lsq', 'lsq+cr']);
    for (const id of ['lsq', 'lsq+cr'] as const) {
      const r = runs[id]!;
      expect(r.id).toBe(id);
      expect(r.phase).toBe('idle');
      expect(r.step).toBe(0);
      expect(r.totalSteps).toBe(0);
      expect(r.rows).toEqual([]);
      expect(r.evals).toEqual([]);
      expect(r.stepSizeNames).toEqual([]);
      expect(r.stepSizeRows).toEqual([]);
      expect(r.stepsPerSecond).toBeNull();
      expect(r.error).toBeNull();
      expect(r.inspection).toBeNull();
      expect(r.backend).toBeNull();
      expect(runLog(id)?.size).toBe(0);
    }
  });

  it('resetRuns with one id removes the other run and its log, and keeps backend reports', () => {
    apply('lsq', { type: 'backend', report: report('wasm') });
    apply('lsq', { type: 'metrics', batch: batchOf([1, 2]) });
    store().resetRuns(['lsq']);
    expect(Object.keys(store().runs)).toEqual(['lsq']);
    expect(runLog('lsq+cr')).toBeNull();
    expect(runLog('lsq')?.size).toBe(0);
    expect(store().runs.lsq!.backend).toEqual(report('wasm'));
    expect(store().runs.lsq!.rows).toEqual([]);
    // Events for the removed run are dropped.
    const before = store().runs;
    apply('lsq+cr', { type: 'phase', phase: 'running', step: 3, totalSteps: 10 });
    expect(store().runs).toBe(before);
    expect(store().runs['lsq+cr']).toBeUndefined();
  });

  it('restoreRun shows a saved run paused at its last step, with its log, evaluations and settings-change markers', () => {
    const { resetRuns, restoreRun } = usePlayground.getState();
    resetRuns(['lsq', 'lsq+cr']);
    const changes = [{ step: 40, change: { lr: 0.01 } }];
    const sharpness = [{ step: 50, value: 3.5, spread: 0.1, iterations: 5, ms: 20 }];
    const stepSizes = [
      { step: 10, 'conv1/w.step': 0.05, 'fc/in.step': 0.2 },
      { step: 60, 'conv1/w.step': 0.04, 'fc/in.step': 0.25 },
    ];
    restoreRun('lsq+cr', { log: batchOf(range(1, 60)), evals: [evalAt(50, 0.7)], totalSteps: 200, settingsChanges: changes, sharpness, stepSizes });
    const run = usePlayground.getState().runs['lsq+cr']!;
    expect(run).toMatchObject({ phase: 'paused', step: 60, totalSteps: 200, settingsChanges: changes, sharpness, stepSizeRows: stepSizes });
    expect(run.evals.map((e) => e.step)).toEqual([50]);
    expect(usePlayground.getState().runs.lsq!.settingsChanges).toEqual([]);
  });

  it('backend updates only its run', () => {
    apply('lsq+cr', { type: 'backend', report: report('webgpu', 'adapter x') });
    expect(store().runs['lsq+cr']!.backend).toEqual(report('webgpu', 'adapter x'));
    expect(store().runs.lsq!.backend).toBeNull();
  });

  it('phase sets phase, step and totalSteps of its run only; ready goes back to the event step', () => {
    apply('lsq', { type: 'phase', phase: 'loading-data', step: 0, totalSteps: 300 });
    expect(store().runs.lsq).toMatchObject({ phase: 'loading-data', step: 0, totalSteps: 300 });
    expect(store().runs['lsq+cr']).toMatchObject({ phase: 'idle', step: 0, totalSteps: 0 });
    apply('lsq', { type: 'metrics', batch: batchOf(range(1, 20)) });
    expect(store().runs.lsq!.step).toBe(20);
    // A phase message that carries an older step does not move the step back...
    apply('lsq', { type: 'phase', phase: 'paused', step: 15, totalSteps: 300 });
    expect(store().runs.lsq).toMatchObject({ phase: 'paused', step: 20 });
    apply('lsq', { type: 'phase', phase: 'running', step: 25, totalSteps: 300 });
    expect(store().runs.lsq!.step).toBe(25);
    // ...except 'ready' (a reset), which takes the event's step.
    apply('lsq', { type: 'phase', phase: 'ready', step: 0, totalSteps: 500 });
    expect(store().runs.lsq).toMatchObject({ phase: 'ready', step: 0, totalSteps: 500 });
    expect(store().runs['lsq+cr']!.phase).toBe('idle');
  });

  it('metrics append to the log and chart of their run only', () => {
    apply('lsq+cr', { type: 'metrics', batch: batchOf([1, 2, 3]) });
    const cr = store().runs['lsq+cr']!;
    expect(cr.step).toBe(3);
    expect(cr.rows).toHaveLength(3);
    expect(cr.rows.map((r) => r.step)).toEqual([1, 2, 3]);
    for (const f of CHART_FIELDS) expect(cr.rows[1][f], f).toBe(Math.fround(metricOf(2)[f]));
    expect(runLog('lsq+cr')!.size).toBe(3);
    expect(runLog('lsq')!.size).toBe(0);
    expect(store().runs.lsq!.rows).toEqual([]);
    // Step 1 is left out of the throughput: steps 2 and 3 took 4 ms and 5 ms.
    expect(cr.stepsPerSecond).toBeCloseTo((1000 * 2) / (metricOf(2).msPerStep + metricOf(3).msPerStep), 9);
    expect(store().runs.lsq!.stepsPerSecond).toBeNull();
  });

  it('eval events collect in order on their run only', () => {
    apply('lsq', { type: 'eval', metrics: evalAt(50, 0.6) });
    apply('lsq', { type: 'eval', metrics: evalAt(100, 0.7) });
    expect(store().runs.lsq!.evals.map((e) => e.step)).toEqual([50, 100]);
    expect(store().runs.lsq!.evals[1]).toEqual(evalAt(100, 0.7));
    expect(store().runs['lsq+cr']!.evals).toEqual([]);
  });

  it('a very long list of evaluations is thinned to at most 2000 entries, keeping the last', () => {
    for (let i = 1; i <= 2500; i++) apply('lsq', { type: 'eval', metrics: evalAt(i, i / 2500) });
    const evals = store().runs.lsq!.evals;
    expect(evals.length).toBeLessThanOrEqual(2000);
    expect(evals.length).toBeGreaterThan(1000);
    expect(evals.at(-1)!.step).toBe(2500);
    for (let i = 1; i < evals.length; i++) expect(evals[i].step).toBeGreaterThan(evals[i - 1].step);
  });

  it('step-sizes events build a downsampled series per name on their run only', () => {
    const names = ['fc1/w.step', 'fc2/in.step'];
    apply('lsq', { type: 'step-sizes', step: 10, names, values: Float32Array.from([0.5, 0.25]) });
    apply('lsq', { type: 'step-sizes', step: 20, names, values: Float32Array.from([0.75, 0.125]) });
    const r = store().runs.lsq!;
    expect(r.stepSizeNames).toEqual(names);
    expect(r.stepSizeRows).toEqual([
      { step: 10, 'fc1/w.step': 0.5, 'fc2/in.step': 0.25 },
      { step: 20, 'fc1/w.step': 0.75, 'fc2/in.step': 0.125 },
    ]);
    expect(store().runs['lsq+cr']!.stepSizeNames).toEqual([]);
    expect(store().runs['lsq+cr']!.stepSizeRows).toEqual([]);
  });

  it('an error of kind failed keeps the phase; diverged, crashed and device-lost set failed', () => {
    apply('lsq', { type: 'phase', phase: 'running', step: 5, totalSteps: 300 });
    apply('lsq', { type: 'error', kind: 'failed', message: 'export failed' });
    expect(store().runs.lsq!.phase).toBe('running');
    expect(store().runs.lsq!.error).toEqual({ kind: 'failed', message: 'export failed' });
    for (const kind of ['crashed', 'device-lost'] as const) {
      store().resetRun('lsq');
      apply('lsq', { type: 'phase', phase: 'running', step: 5, totalSteps: 300 });
      apply('lsq', { type: 'error', kind, message: kind });
      expect(store().runs.lsq!.phase, kind).toBe('failed');
      expect(store().runs.lsq!.error?.kind).toBe(kind);
    }
  });

  it('a diverged error sets phase failed and keeps earlier rows and evals; the other run goes on', () => {
    apply('lsq+cr', { type: 'phase', phase: 'running', step: 0, totalSteps: 300 });
    apply('lsq+cr', { type: 'metrics', batch: batchOf(range(1, 40)) });
    apply('lsq+cr', { type: 'eval', metrics: evalAt(20, 0.4) });
    apply('lsq', { type: 'phase', phase: 'running', step: 0, totalSteps: 300 });
    const rowsBefore = store().runs['lsq+cr']!.rows;
    apply('lsq+cr', { type: 'error', kind: 'diverged', message: 'training diverged at step 41' });
    const cr = store().runs['lsq+cr']!;
    expect(cr.phase).toBe('failed');
    expect(cr.error).toEqual({ kind: 'diverged', message: 'training diverged at step 41' });
    expect(cr.rows).toEqual(rowsBefore);
    expect(cr.rows).toHaveLength(40);
    expect(cr.evals).toEqual([evalAt(20, 0.4)]);
    expect(cr.step).toBe(40);
    expect(runLog('lsq+cr')!.size).toBe(40);
    expect(store().runs.lsq!.phase).toBe('running');
    expect(store().runs.lsq!.error).toBeNull();
  });

  it('inspection and model-file events', () => {
    const before = store().runs.lsq;
    apply('lsq', { type: 'model-file', text: '{}', steps: 3 });
    expect(store().runs.lsq).toEqual(before);
    const inspection = {
      step: 7,
      images: new Uint8Array(4),
      height: 2,
      width: 2,
      channels: 1,
      labels: Int32Array.from([1]),
      classNames: ['a', 'b'],
      student: Int32Array.from([1]),
      studentConfidence: Float32Array.from([0.9]),
      teacher: null,
      histograms: [],
    };
    apply('lsq', { type: 'inspection', inspection });
    expect(store().runs.lsq!.inspection).toBe(inspection);
    expect(store().runs['lsq+cr']!.inspection).toBeNull();
  });

  it('5,000 batches of 10 steps keep rows ≤ 2000 while the log holds all 50,000 steps exactly', () => {
    let maxRows = 0;
    for (let b = 0; b < 5000; b++) {
      apply('lsq', { type: 'metrics', batch: batchOf(range(b * 10 + 1, b * 10 + 10)) });
      maxRows = Math.max(maxRows, store().runs.lsq!.rows.length);
    }
    const run = store().runs.lsq!;
    expect(maxRows).toBeLessThanOrEqual(2000);
    expect(run.rows.length).toBeGreaterThan(1000);
    expect(run.rows.at(-1)!.step).toBe(50_000);
    expect(run.step).toBe(50_000);
    const log = runLog('lsq')!;
    expect(log.size).toBe(50_000);
    const steps = log.steps();
    expect(steps).toHaveLength(50_000);
    for (let i = 0; i < 50_000; i++) {
      if (steps[i] !== i + 1) expect(steps[i], `index ${i}`).toBe(i + 1);
    }
    for (const f of METRIC_FIELDS) {
      const col = log.column(f);
      expect(col).toHaveLength(50_000);
      for (let i = 0; i < 50_000; i++) {
        const want = Math.fround(metricOf(i + 1)[f]);
        if (col[i] !== want) expect(col[i], `${f} at step ${i + 1}`).toBe(want);
      }
    }
    // The chart rows average the log: the bucket-weighted mean of loss equals the log's mean.
    let logMean = 0;
    for (const v of log.column('loss')) logMean += v;
    logMean /= 50_000;
    let rowMean = 0;
    run.rows.forEach((r, i) => (rowMean += r.loss * (r.step - (i === 0 ? 0 : run.rows[i - 1].step))));
    expect(rowMean / 50_000).toBeCloseTo(logMean, 6);
    let ms = 0;
    for (let s = 2; s <= 50_000; s++) ms += Math.fround(metricOf(s).msPerStep);
    expect(run.stepsPerSecond).toBeCloseTo((1000 * 49_999) / ms, 6);
    expect(runLog('lsq+cr')!.size).toBe(0);
  });

  it('metrics in several batches give the same rows and log as one batch', () => {
    apply('lsq', { type: 'metrics', batch: batchOf(range(1, 3000)) });
    for (const [a, b] of [
      [1, 1],
      [2, 999],
      [1000, 1001],
      [1002, 3000],
    ]) {
      apply('lsq+cr', { type: 'metrics', batch: batchOf(range(a, b)) });
    }
    expect(store().runs['lsq+cr']!.rows).toEqual(store().runs.lsq!.rows);
    expect(Array.from(runLog('lsq+cr')!.column('loss'))).toEqual(Array.from(runLog('lsq')!.column('loss')));
  });

  it('resetRun clears only that run (log, rows, evals, error)', () => {
    for (const id of ['lsq', 'lsq+cr'] as const) {
      apply(id, { type: 'phase', phase: 'running', step: 0, totalSteps: 100 });
      apply(id, { type: 'metrics', batch: batchOf(range(1, 30)) });
      apply(id, { type: 'eval', metrics: evalAt(30, 0.5) });
      apply(id, { type: 'step-sizes', step: 30, names: ['x.step'], values: Float32Array.from([1]) });
    }
    apply('lsq+cr', { type: 'error', kind: 'diverged', message: 'nan' });
    const lsqBefore = store().runs.lsq;
    const lsqLog = runLog('lsq');
    store().resetRun('lsq+cr');
    const cr = store().runs['lsq+cr']!;
    expect(cr).toMatchObject({ phase: 'idle', step: 0, rows: [], evals: [], error: null, stepSizeRows: [], stepSizeNames: [] });
    expect(runLog('lsq+cr')!.size).toBe(0);
    expect(store().runs.lsq).toBe(lsqBefore);
    expect(runLog('lsq')).toBe(lsqLog);
    expect(runLog('lsq')!.size).toBe(30);
    // The reset run starts a fresh chart (its old buckets are gone).
    apply('lsq+cr', { type: 'metrics', batch: batchOf([1]) });
    expect(store().runs['lsq+cr']!.rows).toHaveLength(1);
    // A new step-size series may use other names.
    apply('lsq+cr', { type: 'step-sizes', step: 1, names: ['y.step'], values: Float32Array.from([2]) });
    expect(store().runs['lsq+cr']!.stepSizeRows).toEqual([{ step: 1, 'y.step': 2 }]);
  });

  it('setConfig merges a patch; replaceConfig sets config and notes; dismissNotes clears the notes', () => {
    store().setConfig({ seed: 5, model: 'cnn-small' });
    expect(store().config).toEqual({ ...DEFAULT_CONFIG, seed: 5, model: 'cnn-small' });
    store().setConfig({ lr: 0.01 });
    expect(store().config).toEqual({ ...DEFAULT_CONFIG, seed: 5, model: 'cnn-small', lr: 0.01 });
    expect(DEFAULT_CONFIG.seed).toBe(0);
    const c: PlaygroundConfig = { ...DEFAULT_CONFIG, dataset: 'cifar10' };
    store().replaceConfig(c, ['w=9: must be one of …; using 2.']);
    expect(store().config).toBe(c);
    expect(store().configNotes).toEqual(['w=9: must be one of …; using 2.']);
    store().dismissNotes();
    expect(store().configNotes).toEqual([]);
    expect(store().config).toBe(c);
  });

  it('setLogScale and setPresentation', () => {
    store().setLogScale(true);
    store().setPresentation(true);
    expect(store().logScale).toBe(true);
    expect(store().presentation).toBe(true);
    store().setLogScale(false);
    expect(store().logScale).toBe(false);
  });
});

describe('MetricLog', () => {
  it('keeps every value across many appends that grow its buffers', () => {
    const log = new MetricLog();
    let step = 1;
    const sizes = [1, 1023, 1, 500, 3000, 7, 10_000, 2];
    for (const n of sizes) {
      log.append(batchOf(range(step, step + n - 1)));
      step += n;
      expect(log.size).toBe(step - 1);
    }
    const total = step - 1;
    expect(total).toBe(sizes.reduce((a, b) => a + b, 0));
    const steps = log.steps();
    expect(steps).toBeInstanceOf(Int32Array);
    expect(steps).toHaveLength(total);
    for (let i = 0; i < total; i++) if (steps[i] !== i + 1) expect(steps[i]).toBe(i + 1);
    for (const f of METRIC_FIELDS) {
      const c = log.column(f);
      expect(c).toBeInstanceOf(Float32Array);
      expect(c).toHaveLength(total);
      for (let i = 0; i < total; i++) {
        const want = Math.fround(metricOf(i + 1)[f]);
        if (c[i] !== want) expect(c[i], `${f} ${i}`).toBe(want);
      }
    }
  });

  it('an empty batch changes nothing', () => {
    const log = new MetricLog();
    log.append(batchOf([1, 2]));
    log.append(batchOf([]));
    expect(log.size).toBe(2);
    expect(Array.from(log.steps())).toEqual([1, 2]);
  });

  it('stepsPerSecond is null before a second step, leaves out step 1 and equals 1000·n/Σms', () => {
    const log = new MetricLog();
    expect(log.stepsPerSecond()).toBeNull();
    const ms = (s: number) => (s === 1 ? 5000 : s * 0.5);
    const values = (s: number) => ({ ...metricOf(s), msPerStep: ms(s) });
    log.append(batchOf([1], values));
    expect(log.stepsPerSecond()).toBeNull();
    log.append(batchOf([2, 3, 4], values));
    expect(log.stepsPerSecond()).toBeCloseTo((1000 * 3) / (1 + 1.5 + 2), 9);
    log.append(batchOf(range(5, 100), values));
    let sum = 0;
    for (let s = 2; s <= 100; s++) sum += ms(s);
    expect(log.stepsPerSecond()).toBeCloseTo((1000 * 99) / sum, 9);
  });

  it('stepsPerSecond is null when every later step took 0 ms', () => {
    const log = new MetricLog();
    log.append(batchOf([1, 2, 3], (s) => ({ ...metricOf(s), msPerStep: 0 })));
    expect(log.stepsPerSecond()).toBeNull();
  });
});

describe('summarizeRun', () => {
  it('is all null without evaluations, and gives images per second from steps per second', () => {
    expect(summarizeRun([], null, 64)).toEqual({
      bestAccuracy: null,
      finalAccuracy: null,
      finalStep: null,
      teacherAccuracy: null,
      stepsPerSecond: null,
      imagesPerSecond: null,
    });
    expect(summarizeRun([], 10, 64).imagesPerSecond).toBe(640);
  });

  it('best is the maximum, final the last evaluation', () => {
    const s = summarizeRun([evalAt(100, 0.5), evalAt(200, 0.8, 0.82), evalAt(300, 0.7, 0.75)], 2.5, 128);
    expect(s).toEqual({ bestAccuracy: 0.8, finalAccuracy: 0.7, finalStep: 300, teacherAccuracy: 0.75, stepsPerSecond: 2.5, imagesPerSecond: 320 });
  });
});

describe('compareRuns', () => {
  it('is null without a common evaluated step', () => {
    expect(compareRuns([], [])).toBeNull();
    expect(compareRuns([evalAt(100, 0.5)], [])).toBeNull();
    expect(compareRuns([], [evalAt(100, 0.5)])).toBeNull();
    expect(compareRuns([evalAt(100, 0.5)], [evalAt(50, 0.6), evalAt(150, 0.7)])).toBeNull();
  });

  it('uses the last common step when the CR run is ahead', () => {
    const lsq = [evalAt(50, 0.5), evalAt(100, 0.6)];
    const cr = [evalAt(50, 0.55), evalAt(100, 0.62), evalAt(150, 0.9)];
    const r = compareRuns(lsq, cr)!;
    expect(r.step).toBe(100);
    expect(r.last).toBeCloseTo(2, 9);
    // 0.9 at step 150 is not counted: best is only up to the common step.
    expect(r.best).toBeCloseTo(2, 9);
  });

  it('uses the last common step when the LSQ run is ahead', () => {
    const lsq = [evalAt(50, 0.5), evalAt(100, 0.6), evalAt(150, 0.95), evalAt(200, 0.99)];
    const cr = [evalAt(50, 0.7), evalAt(100, 0.65)];
    const r = compareRuns(lsq, cr)!;
    expect(r.step).toBe(100);
    expect(r.last).toBeCloseTo(5, 9);
    // Best up to step 100: CR 0.7 (step 50), LSQ 0.6.
    expect(r.best).toBeCloseTo(10, 9);
  });

  it('best and last differ when the best evaluation is earlier', () => {
    const lsq = [evalAt(10, 0.8), evalAt(20, 0.6), evalAt(30, 0.62)];
    const cr = [evalAt(10, 0.7), evalAt(20, 0.75), evalAt(30, 0.7)];
    const r = compareRuns(lsq, cr)!;
    expect(r).toEqual({ step: 30, best: expect.any(Number), last: expect.any(Number) });
    expect(r.last).toBeCloseTo(100 * (0.7 - 0.62), 9);
    expect(r.best).toBeCloseTo(100 * (0.75 - 0.8), 9);
  });
});
