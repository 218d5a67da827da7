import { RUN_LABELS, type RunId } from '../config/run-config';
import type { LayerSpectrum } from '../engine/hessian/layer-eigen';
import type { SharpnessEstimate } from '../engine/hessian/live-sharpness';

export interface ExportedSharpness {
  id: RunId;
  sharpness?: readonly SharpnessEstimate[];
  layerEigen?: { step: number; spectrum: LayerSpectrum } | null;
}

/** Every live top-eigenvalue estimate with its ± spread (residual bound), one row per run and estimate. */
export function sharpnessCsv(runs: readonly ExportedSharpness[]): string {
  const lines = ['run,step,top_eigenvalue,spread,products,ms'];
  for (const r of runs) for (const e of r.sharpness ?? []) lines.push([RUN_LABELS[r.id], e.step, e.value, e.spread, e.iterations, e.ms].join(','));
  return `${lines.join('\n')}\n`;
}

/** The last per-layer measurement of every run, one row per run and layer. */
export function layerEigenCsv(runs: readonly ExportedSharpness[]): string {
  const lines = ['run,step,samples,layer,params,top_eigenvalue,spread,products,converged'];
  for (const r of runs) {
    const m = r.layerEigen;
    if (!m) continue;
    for (const l of m.spectrum.layers) lines.push([RUN_LABELS[r.id], m.step, m.spectrum.samples, l.layer, l.dim, l.value, l.spread, l.iterations, l.converged].join(','));
  }
  return `${lines.join('\n')}\n`;
}
