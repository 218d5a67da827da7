import { beforeEach, describe, expect, it } from 'vitest';
import type { HessianSummary } from '../src/engine/hessian/measure';
import { usePlayground } from '../src/store/playground-store';
import { spectrumHistogram, spectrumStats } from '../src/ui/hessian/spectrum-bins';

describe('spectrum statistics and bins', () => {
  it('max, mean and population variance', () => {
    expect(spectrumStats([1, 2, 3, 6])).toEqual({ max: 6, mean: 3, variance: 3.5 });
  });

  it('bins magnitudes on one shared axis from 0 to the largest of any run', () => {
    const rows = spectrumHistogram({ lsq: [10, 9, 1, -0.5], 'lsq+cr': [5, 4] }, 5);
    expect(rows).toHaveLength(5);
    expect(rows[0].from).toBe(0);
    expect(rows[4].to).toBeCloseTo(10, 12);
    // Each run's counts add up to its number of eigenvalues; negative values count by magnitude.
    expect(rows.reduce((a, r) => a + (r.lsq ?? 0), 0)).toBe(4);
    expect(rows.reduce((a, r) => a + (r['lsq+cr'] ?? 0), 0)).toBe(2);
    expect(rows[0].lsq).toBe(2);
    expect(rows[4].lsq).toBe(2);
    // Bins are 2 wide: 4 and 5 both fall in [4, 6).
    expect(rows[2]['lsq+cr']).toBe(2);
    expect(rows[1]['lsq+cr']).toBe(0);
    expect(rows[0].fp32).toBeUndefined();
  });
});

const summary = (top: number[]): HessianSummary => ({ top, trace: 12, traceStderr: 1, iterations: 30, converged: true, ms: 5, dim: 100 });

describe('store: sharpness and spectrum events', () => {
  beforeEach(() => {
    const s = usePlayground.getState();
    s.resetRuns(['lsq', 'lsq+cr']);
    for (const id of ['lsq', 'lsq+cr'] as const) s.applyEvent(id, { type: 'phase', phase: 'done', step: 60, totalSteps: 60 });
  });

  it('only runs that trained and are at rest wait for a spectrum; an error ends the wait', () => {
    const s = usePlayground.getState();
    s.applyEvent('lsq+cr', { type: 'phase', phase: 'ready', step: 0, totalSteps: 60 });
    s.markSpectrumPending();
    expect(usePlayground.getState().runs.lsq!.spectrumPending).toBe(true);
    expect(usePlayground.getState().runs['lsq+cr']!.spectrumPending).toBe(false);
    s.applyEvent('lsq', { type: 'error', kind: 'failed', message: 'spectrum: the run has not trained yet' });
    expect(usePlayground.getState().runs.lsq!.spectrumPending).toBe(false);
  });

  it('appends live estimates with their time share, per run', () => {
    const s = usePlayground.getState();
    s.applyEvent('lsq', { type: 'sharpness', estimate: { step: 50, value: 7, spread: 0.5, iterations: 5, ms: 10 }, share: 0.2 });
    s.applyEvent('lsq', { type: 'sharpness', estimate: { step: 100, value: 9, spread: 0.25, iterations: 3, ms: 8 }, share: 0.15 });
    const runs = usePlayground.getState().runs;
    expect(runs.lsq!.sharpness.map((e) => e.value)).toEqual([7, 9]);
    expect(runs.lsq!.sharpnessShare).toBe(0.15);
    expect(runs['lsq+cr']!.sharpness).toEqual([]);
  });

  it('a spectrum is pending from the request until its result, and survives the phase changes around it', () => {
    const s = usePlayground.getState();
    s.markSpectrumPending();
    expect(usePlayground.getState().runs.lsq!.spectrumPending).toBe(true);
    s.applyEvent('lsq', { type: 'phase', phase: 'hessian', step: 60, totalSteps: 60 });
    expect(usePlayground.getState().runs.lsq!.spectrumPending).toBe(true);
    s.applyEvent('lsq', { type: 'spectrum', step: 60, summary: summary([3, 2, 1]) });
    s.applyEvent('lsq', { type: 'phase', phase: 'done', step: 60, totalSteps: 60 });
    const lsq = usePlayground.getState().runs.lsq!;
    expect(lsq.spectrumPending).toBe(false);
    expect(lsq.spectrum?.summary.top).toEqual([3, 2, 1]);
    expect(usePlayground.getState().runs['lsq+cr']!.spectrumPending).toBe(true);
  });

  it('a spectrum that was stopped (the Worker left the hessian phase without a result) is no longer pending', () => {
    const s = usePlayground.getState();
    s.markSpectrumPending();
    s.applyEvent('lsq', { type: 'phase', phase: 'hessian', step: 60, totalSteps: 60 });
    s.applyEvent('lsq', { type: 'phase', phase: 'paused', step: 60, totalSteps: 60 });
    expect(usePlayground.getState().runs.lsq!.spectrumPending).toBe(false);
    expect(usePlayground.getState().runs.lsq!.spectrum).toBeNull();
  });
});
