import type { RunId } from '../config/run-config';
import type { QuantError } from '../engine/inspect/quant-error';

/** One row of the quantization-error table: a quantized tensor, and each run's latest error for it. */
export interface QuantErrorRow {
  name: string;
  kind: QuantError['kind'];
  bits: number;
  runs: Partial<Record<RunId, QuantError & { step: number }>>;
}

/** Rows in the order the first run reports its quantizers, weights first; a quantizer a run lacks stays empty. */
export function quantErrorRows(runs: readonly { id: RunId; quantErrors: readonly { step: number; layers: readonly QuantError[] }[] }[]): QuantErrorRow[] {
  const rows = new Map<string, QuantErrorRow>();
  for (const r of runs) {
    const last = r.quantErrors.at(-1);
    if (!last) continue;
    for (const l of last.layers) {
      const key = `${l.kind}:${l.name}`;
      const row = rows.get(key) ?? { name: l.name, kind: l.kind, bits: l.bits, runs: {} };
      row.runs[r.id] = { ...l, step: last.step };
      rows.set(key, row);
    }
  }
  return [...rows.values()].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'weight' ? -1 : 1));
}
