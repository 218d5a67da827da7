import * as tf from '@tensorflow/tfjs';
import { EVAL_CTX, type Model } from '../models/types';
import type { Param } from '../nn/params';
import { quantRange } from '../quant/lsq';
import type { WeightHistogram } from './weight-histogram';

/** How far one quantizer's output is from what it quantizes. */
export interface QuantError {
  /** The quantized tensor, e.g. "fc2/w" (weights) or "fc2/in" (the activation entering fc2). */
  name: string;
  kind: 'weight' | 'activation';
  bits: number;
  /** ‖q − x‖ / ‖x‖. */
  relRms: number;
  /** ⟨q, x⟩ / (‖q‖ ‖x‖); 0 when q is all zeros. */
  cosine: number;
  /** Share of values beyond the outermost level by more than half a step: the ones clipping changed. */
  clipped: number;
  /**
   * Weights only, over the steps since the last report: the share whose grid point changed at least once, and the
   * share that changed twice or more (oscillation around a rounding boundary). Null for activations.
   */
  flipped: number | null;
  oscillating: number | null;
}

/**
 * [Σ(q−x)², Σx², Σqx, Σq², clipped, n] of x fake-quantized with step s (a scalar, or per channel on the last axis):
 * q = round(clip(x/s, −Qn, Qp))·s, as in lsqFakeQuant's forward.
 */
export function quantErrorSums(x: tf.Tensor, step: tf.Tensor, bits: number, signed: boolean): tf.Tensor1D {
  return tf.tidy(() => {
    const { qn, qp } = quantRange(bits, signed);
    const v = tf.div(x, step);
    const q = tf.mul(tf.round(tf.clipByValue(v, -qn, qp)), step);
    const err = tf.sub(q, x);
    const clipped = tf.logicalOr(tf.less(v, -qn - 0.5), tf.greater(v, qp + 0.5));
    return tf.stack([tf.sum(tf.square(err)), tf.sum(tf.square(x)), tf.sum(tf.mul(q, x)), tf.sum(tf.square(q)), tf.sum(tf.cast(clipped, 'float32')), tf.scalar(x.size)]) as tf.Tensor1D;
  });
}

/** relRms, cosine and the clipped share from the sums of quantErrorSums. */
export function fromSums(s: ArrayLike<number>): { relRms: number; cosine: number; clipped: number } {
  const [e2, x2, qx, q2, clipped, n] = Array.from(s);
  return {
    relRms: x2 > 0 ? Math.sqrt(e2 / x2) : 0,
    cosine: x2 > 0 && q2 > 0 ? qx / Math.sqrt(x2 * q2) : 0,
    clipped: n > 0 ? clipped / n : 0,
  };
}

/** The integer grid point of every weight: round(clip(w/s, −Qn, Qp)). */
function gridCodes(w: tf.Tensor, step: tf.Tensor, bits: number): tf.Tensor {
  const { qn, qp } = quantRange(bits, true);
  return tf.round(tf.clipByValue(tf.div(w, step), -qn, qp));
}

interface Quantized {
  weight: Param;
  step: Param;
  bits: number;
}

function quantizedWeights(model: Model): Quantized[] {
  const steps = new Map(model.params.filter((p) => p.kind === 'step').map((p) => [p.name, p]));
  return model.params.flatMap((p) => {
    const step = p.kind === 'weight' ? steps.get(`${p.name}.step`) : undefined;
    return step?.quant ? [{ weight: p, step, bits: step.quant.bits }] : [];
  });
}

/**
 * Counts, on the device, how often each quantized weight moved to another grid point between two steps: `observe`
 * after every step, `take` at a report (it starts the count over). Nothing is read back until `take`.
 */
export class FlipTracker {
  private codes = new Map<string, tf.Tensor>();
  private flips = new Map<string, tf.Tensor>();

  observe(model: Model): void {
    for (const { weight, step, bits } of quantizedWeights(model)) {
      const code = tf.tidy(() => gridCodes(weight.variable, step.variable, bits));
      const prev = this.codes.get(weight.name);
      const before = this.flips.get(weight.name);
      if (prev) {
        const flips = tf.tidy(() => tf.add(before ?? tf.zerosLike(code), tf.cast(tf.notEqual(code, prev), 'float32')));
        before?.dispose();
        this.flips.set(weight.name, flips);
        prev.dispose();
      }
      this.codes.set(weight.name, code);
    }
  }

  /** Per weight tensor, [share flipped ≥ 1, share flipped ≥ 2] as one tensor each; the counts start over. */
  take(): Map<string, tf.Tensor1D> {
    const out = new Map<string, tf.Tensor1D>();
    for (const [name, f] of this.flips) {
      out.set(name, tf.tidy(() => tf.stack([tf.mean(tf.cast(tf.greaterEqual(f, 1), 'float32')), tf.mean(tf.cast(tf.greaterEqual(f, 2), 'float32'))]) as tf.Tensor1D));
      f.dispose();
    }
    this.flips.clear();
    return out;
  }

  dispose(): void {
    tf.dispose([...this.codes.values(), ...this.flips.values()]);
    this.codes.clear();
    this.flips.clear();
  }
}

/** What one report holds: the errors of every quantizer and the activations' histograms with their grids. */
export interface QuantReport {
  layers: QuantError[];
  activationHistograms: WeightHistogram[];
}

/**
 * The quantization error of every quantized weight and activation of `model` (activations on the batch `x`, eval
 * mode), with the grid-point flips counted since the last report. The tensors are built at once, so later training
 * steps cannot change what is measured; the one read-back happens after.
 */
export async function quantReport(model: Model, x: tf.Tensor4D, flips: FlipTracker | null, bins = 64): Promise<QuantReport> {
  const weights = quantizedWeights(model);
  const acts: { name: string; bits: number; step: tf.Tensor; sums: tf.Tensor1D; hist: tf.Tensor1D }[] = [];
  const weightSums = weights.map((w) => quantErrorSums(w.weight.variable, w.step.variable, w.bits, true));
  tf.tidy(() => {
    model.forward(x, {
      ...EVAL_CTX,
      observe: (name, a, step, bits) => {
        const { qp } = quantRange(bits, false);
        // The range holds both the activations and the grid, so clipping shows past the last level.
        const hi = tf.maximum(tf.max(a), tf.mul(step, qp + 0.5));
        const width = tf.div(hi, bins);
        const idx = tf.clipByValue(tf.floor(tf.div(tf.relu(tf.reshape(a, [-1])), width)), 0, bins - 1);
        // One count per bin with plain kernels: Bincount is not registered on every backend this runs on.
        const counts = Array.from({ length: bins }, (_, k) => tf.sum(tf.cast(tf.equal(idx, k), 'float32')));
        const hist = tf.stack([hi, ...counts]) as tf.Tensor1D;
        acts.push({ name, bits, step: tf.keep(tf.reshape(step, [1])), sums: tf.keep(quantErrorSums(a, step, bits, false)), hist: tf.keep(hist) });
      },
    });
  });
  const flipShares = flips?.take() ?? new Map<string, tf.Tensor1D>();
  const all = [...weightSums, ...acts.flatMap((a) => [a.sums, a.hist, a.step]), ...flipShares.values()];
  const read = await Promise.all(all.map((t) => t.data()));
  const at = new Map(all.map((t, i) => [t, read[i]]));
  tf.dispose(all);
  const layers: QuantError[] = weights.map((w, i) => {
    const f = flipShares.get(w.weight.name);
    const share = f ? at.get(f)! : null;
    return { name: w.weight.name, kind: 'weight', bits: w.bits, ...fromSums(at.get(weightSums[i])!), flipped: share ? share[0] : flips ? 0 : null, oscillating: share ? share[1] : flips ? 0 : null };
  });
  const activationHistograms: WeightHistogram[] = [];
  for (const a of acts) {
    layers.push({ name: a.name, kind: 'activation', bits: a.bits, ...fromSums(at.get(a.sums)!), flipped: null, oscillating: null });
    const h = at.get(a.hist)!;
    const s = at.get(a.step)![0];
    const { qp } = quantRange(a.bits, false);
    const counts = Int32Array.from(h.subarray(1));
    const total = counts.reduce((p, c) => p + c, 0);
    activationHistograms.push({ name: a.name, bits: a.bits, step: s, qn: 0, qp, min: 0, binWidth: h[0] / bins, counts, clipped: total > 0 ? fromSums(at.get(a.sums)!).clipped : 0 });
  }
  return { layers, activationHistograms };
}
