import { beforeEach, describe, expect, it } from 'vitest';
import type { LayerEigenvalue, LayerSpectrum } from '../src/engine/hessian/layer-eigen';
import { metricsJson } from '../src/export/metrics-export';
import { layerEigenCsv, sharpnessCsv } from '../src/export/sharpness-export';
import { DEFAULT_CONFIG } from '../src/config/playground-config';
import { usePlayground } from '../src/store/playground-store';
import { compareSpread, lastCommonComparison, sharpnessBand } from '../src/store/sharpness-band';
import { layerBarData, layerEigenRows } from '../src/ui/hessian/layer-eigen-rows';
import { MetricLog } from '../src/store/metric-log';

const est = (step: number, value: number, spread: number) => ({ step, value, spread, iterations: 6, ms: 3 });

describe('sharpnessBand', () => {
  it('is each estimate ± its own spread, from the first estimate on', () => {
    const band = sharpnessBand([est(10, 4, 0.5), est(20, 6, 0), est(30, 5, 2)]);
    expect(band).toEqual([
      { step: 10, value: 4, lo: 3.5, hi: 4.5 },
      { step: 20, value: 6, lo: 6, hi: 6 },
      { step: 30, value: 5, lo: 3, hi: 7 },
    ]);
    expect(sharpnessBand([])).toEqual([]);
  });
});

describe('compareSpread', () => {
  it('calls a run flatter or sharper only when the two intervals do not overlap', () => {
    expect(compareSpread({ value: 4, spread: 0.4 }, { value: 5, spread: 0.5 })).toBe('lower');
    expect(compareSpread({ value: 5, spread: 0.5 }, { value: 4, spread: 0.4 })).toBe('higher');
    // A gap of 1 against bands adding up to more than 1: within the noise, in both directions.
    expect(compareSpread({ value: 4, spread: 0.6 }, { value: 5, spread: 0.5 })).toBe('within');
    expect(compareSpread({ value: 5, spread: 0.5 }, { value: 4, spread: 0.6 })).toBe('within');
    // Touching intervals overlap.
    expect(compareSpread({ value: 4, spread: 0.5 }, { value: 5, spread: 0.5 })).toBe('within');
    expect(compareSpread({ value: 4, spread: 0 }, { value: 4, spread: 0 })).toBe('within');
  });

  it('compares the two runs at their last common step', () => {
    const cr = [est(10, 3, 0.1), est(20, 2, 0.1), est(30, 1, 0.1)];
    const lsq = [est(10, 5, 0.1), est(20, 2.1, 0.3)];
    const c = lastCommonComparison(cr, lsq);
    expect(c?.step).toBe(20);
    expect(c?.verdict).toBe('within');
    expect(lastCommonComparison(cr.slice(0, 1), lsq)?.verdict).toBe('lower');
    expect(lastCommonComparison(cr, [])).toBeNull();
  });
});

const layer = (name: string, value: number, spread: number, dim = 10): LayerEigenvalue => ({ layer: name, dim, value, spread, iterations: 8, converged: true });
const spectrum = (layers: LayerEigenvalue[]): LayerSpectrum => ({ layers, samples: 64, ms: 12 });

describe('per-layer rows', () => {
  it('puts every run side by side per layer, in forward order, with CR against LSQ beyond the bounds', () => {
    const rows = layerEigenRows({
      lsq: [layer('fc1', 4, 0.1, 30), layer('fc2', 9, 0.5, 35), layer('fc3', 2, 0.1, 18)],
      'lsq+cr': [layer('fc1', 4.1, 0.1, 30), layer('fc2', 6, 0.5, 35), layer('fc3', 3, 0.2, 18)],
    });
    expect(rows.map((r) => [r.layer, r.dim])).toEqual([
      ['fc1', 30],
      ['fc2', 35],
      ['fc3', 18],
    ]);
    expect(rows.map((r) => r.crVsLsq)).toEqual(['within', 'lower', 'higher']);
    expect(rows[1].byRun['lsq+cr']).toEqual({ value: 6, spread: 0.5 });
    const bars = layerBarData(rows);
    expect(bars[1]).toEqual({ layer: 'fc2', lsq: 9, 'lsq:spread': 0.5, 'lsq+cr': 6, 'lsq+cr:spread': 0.5 });
    // One run alone: no comparison.
    expect(layerEigenRows({ lsq: [layer('fc1', 1, 0)] })[0].crVsLsq).toBeNull();
  });
});

describe('store: per-layer eigenvalues', () => {
  beforeEach(() => {
    const s = usePlayground.getState();
    s.resetRuns(['lsq', 'lsq+cr']);
    for (const id of ['lsq', 'lsq+cr'] as const) s.applyEvent(id, { type: 'phase', phase: 'done', step: 60, totalSteps: 60 });
  });

  it('are pending from the request until the result, and not once the Worker leaves the hessian phase without one', () => {
    const s = usePlayground.getState();
    s.markLayerEigenPending();
    expect(usePlayground.getState().runs.lsq!.layerEigenPending).toBe(true);
    // The spectrum's wait is a separate one.
    expect(usePlayground.getState().runs.lsq!.spectrumPending).toBe(false);
    for (const id of ['lsq', 'lsq+cr'] as const) s.applyEvent(id, { type: 'phase', phase: 'hessian', step: 60, totalSteps: 60 });
    expect(usePlayground.getState().runs.lsq!.layerEigenPending).toBe(true);
    s.applyEvent('lsq', { type: 'layer-eigenvalues', step: 60, spectrum: spectrum([layer('fc1', 3, 0.2)]) });
    s.applyEvent('lsq', { type: 'phase', phase: 'done', step: 60, totalSteps: 60 });
    s.applyEvent('lsq+cr', { type: 'phase', phase: 'paused', step: 60, totalSteps: 60 });
    const runs = usePlayground.getState().runs;
    expect(runs.lsq!.layerEigenPending).toBe(false);
    expect(runs.lsq!.layerEigen?.spectrum.layers[0].value).toBe(3);
    expect(runs['lsq+cr']!.layerEigenPending).toBe(false);
    expect(runs['lsq+cr']!.layerEigen).toBeNull();
  });

  it('an error ends the wait; a run that never trained does not wait', () => {
    const s = usePlayground.getState();
    s.applyEvent('lsq+cr', { type: 'phase', phase: 'ready', step: 0, totalSteps: 60 });
    s.markLayerEigenPending();
    expect(usePlayground.getState().runs['lsq+cr']!.layerEigenPending).toBe(false);
    s.applyEvent('lsq', { type: 'error', kind: 'failed', message: 'per-layer eigenvalues: the run has not trained yet' });
    expect(usePlayground.getState().runs.lsq!.layerEigenPending).toBe(false);
  });
});

describe('exports of the sharpness and its spread', () => {
  const runs = [
    { id: 'lsq' as const, sharpness: [est(10, 5.5, 0.25), est(20, 6, 0.125)], layerEigen: { step: 20, spectrum: spectrum([layer('fc1', 4, 0.5, 30), layer('fc2', 9, 0.75, 35)]) } },
    { id: 'lsq+cr' as const, sharpness: [est(10, 4, 1.5)], layerEigen: null },
  ];

  it('CSV: one row per estimate with its spread, and one per layer', () => {
    expect(sharpnessCsv(runs)).toBe('run,step,top_eigenvalue,spread,products,ms\nLSQ,10,5.5,0.25,6,3\nLSQ,20,6,0.125,6,3\nLSQ+CR,10,4,1.5,6,3\n');
    expect(layerEigenCsv(runs)).toBe('run,step,samples,layer,params,top_eigenvalue,spread,products,converged\nLSQ,20,64,fc1,30,4,0.5,8,true\nLSQ,20,64,fc2,35,9,0.75,8,true\n');
  });

  it('JSON: each run carries its estimates with their spread and its per-layer measurement', () => {
    const json = metricsJson(DEFAULT_CONFIG, 'http://x/#a', runs.map((r) => ({ ...r, log: new MetricLog(), evals: [], backend: null, batchSize: 8 })));
    expect(json.runs[0].sharpness.map((e) => e.spread)).toEqual([0.25, 0.125]);
    expect(json.runs[0].layerEigenvalues?.spectrum.layers.map((l) => [l.layer, l.spread])).toEqual([
      ['fc1', 0.5],
      ['fc2', 0.75],
    ]);
    expect(json.runs[1].layerEigenvalues).toBeNull();
    // What a file reader sees.
    const back = JSON.parse(JSON.stringify(json)) as typeof json;
    expect(back.runs[1].sharpness[0]).toEqual({ step: 10, value: 4, spread: 1.5, iterations: 6, ms: 3 });
  });
});
