import * as tf from '@tensorflow/tfjs';
import { makeBatch } from '../data/batches';
import type { TrainingSession } from '../train/session';
import { topEigenvalues } from './eigen';
import { HessianAbortedError } from './lanczos';
import { alsoDisposing, modelHvp, type Hvp } from './hvp';
import { hessianTrace } from './trace';

export interface HessianSettings {
  /** Labeled training images in the fixed batch the loss is taken on (no augmentation). */
  samples: number;
  /** Include LSQ step sizes among the parameters. */
  includeSteps: boolean;
}

export const DEFAULT_HESSIAN_SETTINGS: HessianSettings = { samples: 1000, includeSteps: false };

/** The fixed batch the Hessian is taken on: the first `samples` labeled images in index order, unaugmented. Dispose after use. */
export function hessianBatch(s: TrainingSession, samples: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const labeled = Int32Array.from(s.split.labeled).sort();
  const idx = labeled.subarray(0, Math.min(samples, labeled.length));
  return makeBatch(s.dataset, s.dataset.train, idx, s.norm);
}

/**
 * The Hessian of a session's training cross-entropy on a fixed batch: the first `samples` labeled images in index
 * order (the same images for every run of a seed), the student in eval mode. Dispose after use.
 */
export function sessionHvp(s: TrainingSession, settings: HessianSettings = DEFAULT_HESSIAN_SETTINGS): Hvp {
  const { x, y } = hessianBatch(s, settings.samples);
  return alsoDisposing(modelHvp(s.model, x, y, s.dataset.numClasses, { includeSteps: settings.includeSteps }), () => tf.dispose([x, y]));
}

export interface HessianSummary {
  /** The top k eigenvalues, largest first. */
  top: number[];
  /** Hutchinson estimate of the trace and its standard error. */
  trace: number;
  traceStderr: number;
  /** Operator products used by Lanczos, whether it met its tolerance, and the wall time of it all. */
  iterations: number;
  converged: boolean;
  ms: number;
  dim: number;
}

/** Top-k eigenvalues and the trace of a trained session's Hessian (the end-of-training measurement). */
export async function measureHessian(
  s: TrainingSession,
  k: number,
  opts: {
    settings?: HessianSettings;
    traceSamples?: number;
    seed?: number;
    signal?: AbortSignal;
    /** Wraps every Hessian-vector product: a host that must stay responsive (a Worker) yields to its events there. */
    wrapProduct?: (hvp: (v: Float32Array) => Promise<Float32Array>) => (v: Float32Array) => Promise<Float32Array>;
  } = {},
): Promise<HessianSummary> {
  const t0 = performance.now();
  const h = sessionHvp(s, opts.settings);
  try {
    const seed = opts.seed ?? s.config.seed;
    const hvp = opts.wrapProduct ? opts.wrapProduct(h.hvp) : h.hvp;
    const eig = await topEigenvalues(hvp, h.dim, k, { seed, maxIter: Math.max(2 * k + 20, 30), signal: opts.signal });
    const tr = await hessianTrace(hvp, h.dim, { samples: opts.traceSamples ?? 20, seed, signal: opts.signal });
    if (opts.signal?.aborted) throw new HessianAbortedError();
    return { top: eig.values, trace: tr.trace, traceStderr: tr.stderr, iterations: eig.iterations, converged: eig.converged, ms: performance.now() - t0, dim: h.dim };
  } finally {
    h.dispose();
  }
}
