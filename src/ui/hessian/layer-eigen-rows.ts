import type { RunId } from '../../config/run-config';
import type { LayerEigenvalue } from '../../engine/hessian/layer-eigen';
import { compareSpread, type Spread } from '../../store/sharpness-band';

export interface LayerRow {
  layer: string;
  dim: number;
  /** Each run's top eigenvalue of this layer's block, with its ± residual bound. */
  byRun: Partial<Record<RunId, Spread>>;
  /** LSQ+CR against LSQ on this layer, counting both bounds; null unless both were measured. */
  crVsLsq: ReturnType<typeof compareSpread> | null;
}

/** One row per layer, in the order the first run listed them (forward order), every run's value side by side. */
export function layerEigenRows(byRun: Partial<Record<RunId, readonly LayerEigenvalue[]>>): LayerRow[] {
  const rows = new Map<string, LayerRow>();
  for (const [id, layers] of Object.entries(byRun) as [RunId, readonly LayerEigenvalue[]][]) {
    for (const l of layers) {
      const row = rows.get(l.layer) ?? { layer: l.layer, dim: l.dim, byRun: {}, crVsLsq: null };
      row.byRun[id] = { value: l.value, spread: l.spread };
      rows.set(l.layer, row);
    }
  }
  for (const row of rows.values()) {
    const cr = row.byRun['lsq+cr'];
    const lsq = row.byRun.lsq;
    row.crVsLsq = cr && lsq ? compareSpread(cr, lsq) : null;
  }
  return [...rows.values()];
}

/** The rows as a bar chart's data: per run its value under the run's id and its bound under `${id}:spread`. */
export function layerBarData(rows: readonly LayerRow[]): Record<string, string | number>[] {
  return rows.map((r) => {
    const out: Record<string, string | number> = { layer: r.layer };
    for (const [id, v] of Object.entries(r.byRun)) {
      out[id] = v!.value;
      out[`${id}:spread`] = v!.spread;
    }
    return out;
  });
}
