/**
 * The per-layer view and the live chart's verdict as the page renders them (server-side render of the components on
 * the store's state): the table's rows, the ± bounds, the comparison, the button's state, the explanation.
 */
import { createElement, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LayerEigenvalue } from '../src/engine/hessian/layer-eigen';
import { usePlayground } from '../src/store/playground-store';
import { HessianChart } from '../src/ui/charts/TrainingCharts';
import { EXPLANATIONS } from '../src/ui/classroom/explanations';
import { LayerEigenView } from '../src/ui/hessian/LayerEigenView';

const layer = (name: string, value: number, spread: number, dim: number): LayerEigenvalue => ({ layer: name, dim, value, spread, iterations: 9, converged: true });
const est = (step: number, value: number, spread: number) => ({ step, value, spread, iterations: 6, ms: 3 });

/**
 * A server render reads a zustand store's initial state (React's server snapshot), so the page's store is made to hold
 * what it holds now as its initial state before each render (this file's process only).
 */
function render(component: () => ReactNode): string {
  Object.assign(usePlayground.getInitialState(), usePlayground.getState());
  return renderToStaticMarkup(createElement(component));
}

/** The text of an element by its data-testid in rendered markup (tags stripped). */
function textOf(html: string, testId: string): string | null {
  const m = html.match(new RegExp(`data-testid="${testId.replace(/[+]/g, '\\+')}"[^>]*>([\\s\\S]*?)</(tr|p|button)>`));
  return m ? m[1].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim() : null;
}

describe('LayerEigenView', () => {
  beforeEach(() => {
    const s = usePlayground.getState();
    s.resetRuns(['lsq', 'lsq+cr']);
    for (const id of ['lsq', 'lsq+cr'] as const) {
      s.applyEvent(id, { type: 'backend', report: { name: 'cpu', adapter: null, detail: '', fallbacks: [] } });
      s.applyEvent(id, { type: 'phase', phase: 'done', step: 40, totalSteps: 40 });
    }
  });

  it('before a measurement: the button is enabled on trained runs at rest, no table', () => {
    const html = render(LayerEigenView);
    expect(html).toContain('data-testid="layer-eigen-button"');
    expect(html).not.toMatch(/data-testid="layer-eigen-button"[^>]*disabled/);
    expect(html).not.toContain('layer-eigen-table');
    expect(html).toContain(EXPLANATIONS.layerEigen.title);
  });

  it('while one is computed the button waits', () => {
    usePlayground.getState().markLayerEigenPending();
    const html = render(LayerEigenView);
    expect(html).toMatch(/data-testid="layer-eigen-button"[^>]*disabled/);
    expect(textOf(html, 'layer-eigen-button')).toBe('Computing…');
  });

  it('after: one row per layer with each run’s value ± bound and the comparison', () => {
    const s = usePlayground.getState();
    s.applyEvent('lsq', { type: 'layer-eigenvalues', step: 40, spectrum: { samples: 32, ms: 5, layers: [layer('fc1', 4, 0.1, 30), layer('fc2', 9, 0.5, 35)] } });
    s.applyEvent('lsq+cr', { type: 'layer-eigenvalues', step: 40, spectrum: { samples: 32, ms: 5, layers: [layer('fc1', 4.05, 0.1, 30), layer('fc2', 6, 0.5, 35)] } });
    const html = render(LayerEigenView);
    expect(html).toContain('data-testid="layer-eigen-table"');
    expect(textOf(html, 'layer-eigen-fc1')).toBe('fc1 30 4.00 ± 0.10 4.05 ± 0.10 within the bounds');
    expect(textOf(html, 'layer-eigen-fc2')).toBe('fc2 35 9.00 ± 0.50 6.00 ± 0.50 flatter with CR');
  });
});

describe('HessianChart', () => {
  beforeEach(() => {
    usePlayground.getState().resetRuns(['lsq', 'lsq+cr']);
    usePlayground.getState().setConfig({ sharpness: 'cheap' });
  });

  it('says whether the last common estimates differ by more than their bands', () => {
    const s = usePlayground.getState();
    s.applyEvent('lsq', { type: 'sharpness', estimate: est(20, 6, 0.2), share: 0.1 });
    s.applyEvent('lsq+cr', { type: 'sharpness', estimate: est(20, 5.9, 0.3), share: 0.1 });
    let html = render(HessianChart);
    expect(textOf(html, 'hessian-verdict')).toMatch(/^At step 20: LSQ\+CR 5\.90 ± 0\.30, LSQ 6\.00 ± 0\.20\. The bands overlap/);
    s.applyEvent('lsq', { type: 'sharpness', estimate: est(40, 8, 0.2), share: 0.1 });
    s.applyEvent('lsq+cr', { type: 'sharpness', estimate: est(40, 5, 0.3), share: 0.1 });
    html = render(HessianChart);
    expect(textOf(html, 'hessian-verdict')).toMatch(/At step 40: .* LSQ\+CR is flatter by more than both bands\./);
    expect(html).toContain(EXPLANATIONS.sharpnessBand.title);
  });
});
