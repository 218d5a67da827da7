import type { TrainingSession } from '../train/session';
import { topEigenvalues } from './eigen';
import { sessionHvp } from './measure';
import { residualBound } from './residual';
import type { SharpnessMode } from './sharpness-modes';

export { SHARPNESS_MODES, type SharpnessMode } from './sharpness-modes';

/** Cost presets of the live estimate: images in the fixed batch and most Lanczos steps per estimate. */
const MODE_SETTINGS: Record<Exclude<SharpnessMode, 'off'>, { samples: number; maxIter: number; tol: number }> = {
  cheap: { samples: 128, maxIter: 5, tol: 1e-2 },
  thorough: { samples: 512, maxIter: 20, tol: 1e-3 },
};

export interface SharpnessEstimate {
  step: number;
  /** The top eigenvalue of the training loss's Hessian: the Rayleigh quotient of the estimated eigenvector. */
  value: number;
  /**
   * Its uncertainty: the residual ‖Hv − value·v‖, so an eigenvalue of this Hessian lies in value ± spread. Few
   * Lanczos steps leave it wide; it shrinks as the estimate converges.
   */
  spread: number;
  /** Operator products, the one that measures the spread included. */
  iterations: number;
  ms: number;
}

/**
 * The top Hessian eigenvalue of a run, estimated every few steps while it trains. Each estimate starts from the
 * previous top eigenvector, which moves little between estimates, so a handful of products is enough; one more
 * measures how far from an eigenvalue the result may be.
 */
export class SharpnessTracker {
  private vector: Float32Array | null = null;

  constructor(readonly mode: Exclude<SharpnessMode, 'off'>) {}

  async estimate(s: TrainingSession, signal?: AbortSignal): Promise<SharpnessEstimate> {
    const t0 = performance.now();
    const m = MODE_SETTINGS[this.mode];
    const h = sessionHvp(s, { samples: m.samples, includeSteps: false });
    try {
      const start = this.vector?.length === h.dim ? this.vector : undefined;
      const r = await topEigenvalues(h.hvp, h.dim, 1, { maxIter: m.maxIter, tol: m.tol, seed: s.config.seed, start, signal });
      this.vector = r.vector;
      // One more product, on the Ritz vector itself, gives the estimate's error bar.
      const bound = await residualBound(h.hvp, r.vector, signal);
      return { step: s.step, value: bound.value, spread: bound.residual, iterations: r.iterations + 1, ms: performance.now() - t0 };
    } finally {
      h.dispose();
    }
  }
}
