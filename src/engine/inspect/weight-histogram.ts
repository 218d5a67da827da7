import type { Model } from '../models/types';
import type { Param } from '../nn/params';
import { quantRange } from '../quant/lsq';

/** The latent (full-precision) weights of one layer, binned, with the lattice its LSQ quantizer rounds them to. */
export interface WeightHistogram {
  /** The weight's name, e.g. "conv2/w". */
  name: string;
  /** Bits of its quantizer, or 32 when the layer is not quantized. */
  bits: number;
  /** Learned step size (the mean over channels when per-channel). */
  step: number | null;
  /** The lattice is step·k for k in [−qn, qp]. */
  qn: number;
  qp: number;
  /** Left edge of the first bin and width of every bin. */
  min: number;
  binWidth: number;
  counts: Int32Array;
  /** Share of weights outside the lattice's range, which LSQ clips. */
  clipped: number;
}

function mean(v: Float32Array): number {
  let s = 0;
  for (const x of v) s += x;
  return s / v.length;
}

/**
 * Histograms of every weight tensor. The range covers both the weights and the lattice, so clipping shows as
 * bars beyond the outermost level.
 */
export async function weightHistograms(model: Model, bins = 64): Promise<WeightHistogram[]> {
  const steps = new Map<string, Param>(model.params.filter((p) => p.kind === 'step').map((p) => [p.name, p]));
  const out: WeightHistogram[] = [];
  for (const p of model.params) {
    if (p.kind !== 'weight') continue;
    const values = (await p.variable.data()) as Float32Array;
    const stepParam = steps.get(`${p.name}.step`);
    // One step per output channel (the last axis) when per-channel, else one for the tensor.
    const channelSteps = stepParam ? ((await stepParam.variable.data()) as Float32Array) : null;
    const step = channelSteps ? mean(channelSteps) : null;
    const bits = stepParam?.quant?.bits ?? 32;
    const { qn, qp } = step !== null ? quantRange(bits, true) : { qn: 0, qp: 0 };
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of values) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    if (step !== null) {
      lo = Math.min(lo, -(qn + 0.5) * step);
      hi = Math.max(hi, (qp + 0.5) * step);
    }
    const binWidth = hi > lo ? (hi - lo) / bins : 1;
    const counts = new Int32Array(bins);
    let clipped = 0;
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      counts[Math.min(bins - 1, Math.floor((x - lo) / binWidth))]++;
      if (channelSteps) {
        const s = channelSteps[i % channelSteps.length];
        if (x < -(qn + 0.5) * s || x > (qp + 0.5) * s) clipped++;
      }
    }
    out.push({ name: p.name, bits, step, qn, qp, min: lo, binWidth, counts, clipped: clipped / values.length });
  }
  return out;
}
