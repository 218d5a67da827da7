/** The saved-run records of the page (src/app/saved-run-format.ts): what is kept, and what is refused on reading. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../src/config/playground-config';
import type { SessionCheckpoint } from '../src/engine/train/checkpoint';
import { logUpTo, saveFailure, savedRunProblem, type SavedRun } from '../src/app/saved-run-format';
import { MetricLog } from '../src/store/metric-log';
import { metricBatchOf } from './helpers/metric-batch';

function record(step = 3): SavedRun {
  const log = new MetricLog();
  log.append(metricBatchOf([1, 2, 3, 4], (s) => ({ loss: s, accuracy: 0, lr: 0, msPerStep: 1, ce: s, consistency: 0, lambda: 0 })));
  const checkpoint = { format: 'qat-playground-checkpoint', version: 1, step, student: { w: new Float32Array(4) } } as unknown as SessionCheckpoint;
  return { version: 1, id: 'lsq', config: DEFAULT_CONFIG, savedAt: 0, totalSteps: 300, log: logUpTo(log, step), evals: [], checkpoint };
}

describe('saved runs', () => {
  it('keeps the log up to the checkpoint, copied', () => {
    const r = record(3);
    expect(Array.from(r.log.step)).toEqual([1, 2, 3]);
    expect(r.log.loss.length).toBe(3);
    expect(savedRunProblem(r)).toBeNull();
    expect(savedRunProblem(structuredClone(r))).toBeNull();
  });

  it('names what is wrong with a damaged record', () => {
    expect(savedRunProblem('garbage')).toMatch(/not a saved run/);
    expect(savedRunProblem({ ...record(), version: 2 })).toMatch(/another version/);
    expect(savedRunProblem({ ...record(), id: 'resnet' })).toMatch(/names no run/);
    expect(savedRunProblem({ ...record(), config: { ...DEFAULT_CONFIG, steps: -4 } })).toMatch(/settings are not valid/);
    expect(savedRunProblem({ ...record(), checkpoint: { format: 'x' } })).toMatch(/checkpoint is missing or damaged/);
    const r = record();
    expect(savedRunProblem({ ...r, log: { ...r.log, loss: new Float32Array(1) } })).toMatch(/metric log is damaged \(loss\)/);
    expect(savedRunProblem({ ...r, checkpoint: { ...r.checkpoint, step: 4 } })).toMatch(/ends at step 3, its checkpoint is at step 4/);
    expect(savedRunProblem({ ...r, evals: null })).toMatch(/evaluations are missing/);
    expect(savedRunProblem({ ...r, sharpness: [{ value: 2 }] })).toMatch(/sharpness estimates are damaged/);
    expect(savedRunProblem({ ...r, stepSizes: 'x' })).toMatch(/step-size chart is damaged/);
    expect(savedRunProblem({ ...r, sharpness: [{ step: 2, value: 1 }], stepSizes: [{ step: 1, a: 0.1 }] })).toBeNull();
  });

  it('says a full storage in words', () => {
    expect(saveFailure(new DOMException('quota', 'QuotaExceededError'))).toMatch(/storage for this page is full/);
    expect(saveFailure(new Error('disk on fire'))).toBe('disk on fire');
  });
});
