import type { TrainingSession } from '../train/session';
import { topEigenvalues } from './eigen';
import { sessionHvp } from './measure';
import type { SharpnessMode } from './sharpness-modes';

export { SHARPNESS_MODES, type SharpnessMode } from './sharpness-modes';

/** Cost presets of the live estimate: images in the fixed batch and most Lanczos steps per estimate. */
const MODE_SETTINGS: Record<Exclude<SharpnessMode, 'off'>, { samples: number; maxIter: number; tol: number }> = {
  cheap: { samples: 128, maxIter: 5, tol: 1e-2 },
  thorough: { samples: 512, maxIter: 20, tol: 1e-3 },
};

export interface SharpnessEstimate {
  step: number;
  /** The top eigenvalue of the training loss's Hessian. */
  value: number;
  iterations: number;
  ms: number;
}

/**
 * The top Hessian eigenvalue of a run, estimated every few steps while it trains. Each estimate starts from the
 * previous top eigenvector, which moves little between estimates, so a handful of products is enough.
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
      return { step: s.step, value: r.values[0], iterations: r.iterations, ms: performance.now() - t0 };
    } finally {
      h.dispose();
    }
  }
}
