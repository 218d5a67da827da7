import { RUN_LABELS, type RunId } from '../config/run-config';
import type { QuantError } from '../engine/inspect/quant-error';

export interface ExportedQuantErrors {
  id: RunId;
  quantErrors?: readonly { step: number; layers: readonly QuantError[] }[];
}

/** The quantization error of every quantized tensor at every evaluation, one row per run, step and tensor. */
export function quantErrorCsv(runs: readonly ExportedQuantErrors[]): string {
  const lines = ['run,step,tensor,kind,bits,rel_rms,cosine,clipped,flipped,oscillating'];
  for (const r of runs) {
    for (const q of r.quantErrors ?? []) {
      for (const l of q.layers) lines.push([RUN_LABELS[r.id], q.step, l.name, l.kind, l.bits, l.relRms, l.cosine, l.clipped, l.flipped ?? '', l.oscillating ?? ''].join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}
