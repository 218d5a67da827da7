import { FlipTracker, makeBatch, quantReport, type QuantReport, type TrainingSession } from '../engine';

/** Test images the activations' errors and histograms are measured on. */
const ACTIVATION_SAMPLES = 128;

/**
 * The quantization error of one run: grid-point flips counted after every step, a report at each evaluation. The
 * flip counts live on the device, so a step costs a few small kernels and no read-back.
 */
export class QuantWatch {
  private tracker: FlipTracker | null = null;
  private of: TrainingSession | null = null;

  afterStep(s: TrainingSession): void {
    if (this.of !== s) {
      this.dispose();
      this.tracker = new FlipTracker();
      this.of = s;
    }
    this.tracker!.observe(s.model);
  }

  /**
   * A report of the model as it is now. Everything it measures is computed before this returns (quantReport's
   * synchronous part), so the steps that train on meanwhile do not change it; only the read-back is awaited.
   */
  report(s: TrainingSession): Promise<QuantReport> {
    const ds = s.dataset;
    const idx = Int32Array.from({ length: Math.min(ACTIVATION_SAMPLES, ds.test.count) }, (_, i) => i);
    const { x, y } = makeBatch(ds, ds.test, idx, s.norm);
    try {
      return quantReport(s.model, x, this.of === s ? this.tracker : null);
    } finally {
      x.dispose();
      y.dispose();
    }
  }

  dispose(): void {
    this.tracker?.dispose();
    this.tracker = null;
    this.of = null;
  }
}

export function quantReportBuffers(r: QuantReport): ArrayBuffer[] {
  return r.activationHistograms.map((h) => h.counts.buffer as ArrayBuffer);
}
