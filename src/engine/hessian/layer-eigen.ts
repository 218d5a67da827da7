import * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/types';
import type { Param } from '../nn/params';
import type { TrainingSession } from '../train/session';
import { topEigenvalues } from './eigen';
import { modelHvp } from './hvp';
import type { Operator } from './lanczos';
import { hessianBatch } from './measure';
import { residualBound } from './residual';

/** One layer's parameter block: its weights and bias (not its step sizes, not the BatchNorm after it). */
export interface LayerBlock {
  /** The layer's path, such as "conv2" or "s1b1/conv1". */
  layer: string;
  params: Param[];
}

export interface LayerEigenvalue {
  layer: string;
  /** Parameters in the block. */
  dim: number;
  /** Top eigenvalue of the Hessian restricted to the block (the Rayleigh quotient of its eigenvector estimate). */
  value: number;
  /** ‖Hv − value·v‖ on that block: an eigenvalue of the block's Hessian lies in value ± spread. */
  spread: number;
  iterations: number;
  converged: boolean;
}

export interface LayerSpectrum {
  layers: LayerEigenvalue[];
  /** Labeled images in the fixed batch, and the wall time of it all. */
  samples: number;
  ms: number;
}

export interface LayerEigenOptions {
  /** Most Lanczos steps per layer; default 24. */
  maxIter?: number;
  /** Relative tolerance of Lanczos; default 1e-3. */
  tol?: number;
  seed?: number;
  signal?: AbortSignal;
  /** Wraps every product (a Worker yields to its events there). */
  wrapProduct?: (op: Operator) => Operator;
}

/** Where a parameter belongs: its path without the last part ("conv2/w" → "conv2"). */
function layerOf(name: string): string {
  const cut = name.lastIndexOf('/');
  return cut < 0 ? name : name.slice(0, cut);
}

/** The model's quantized layers, in forward order, each with its weights and bias. */
export function layerBlocks(model: Model): LayerBlock[] {
  const byLayer = new Map<string, Param[]>();
  for (const p of model.params) {
    if (p.kind !== 'weight' && p.kind !== 'bias') continue;
    const layer = layerOf(p.name);
    byLayer.set(layer, [...(byLayer.get(layer) ?? []), p]);
  }
  return [...byLayer].filter(([, ps]) => ps.some((p) => p.kind === 'weight')).map(([layer, params]) => ({ layer, params }));
}

/**
 * The top eigenvalue of each layer's diagonal block of the loss Hessian (that layer's parameters move, every other
 * one stays fixed), on the batch (x, y), with the residual bound of each. Per layer, so a model's sharpness can be
 * placed: PyHessian's per-layer view. The products are modelHvp's (recorded ReLU gates and rounding).
 */
export async function layerEigenvalues(model: Model, x: tf.Tensor4D, y: tf.Tensor1D, numClasses: number, opts: LayerEigenOptions = {}): Promise<LayerEigenvalue[]> {
  const out: LayerEigenvalue[] = [];
  for (const block of layerBlocks(model)) {
    const h = modelHvp(model, x, y, numClasses, { params: block.params });
    try {
      const op = opts.wrapProduct ? opts.wrapProduct(h.hvp) : h.hvp;
      const r = await topEigenvalues(op, h.dim, 1, { maxIter: opts.maxIter ?? 24, tol: opts.tol ?? 1e-3, seed: opts.seed ?? 0, signal: opts.signal });
      const bound = await residualBound(op, r.vector, opts.signal);
      out.push({ layer: block.layer, dim: h.dim, value: bound.value, spread: bound.residual, iterations: r.iterations + 1, converged: r.converged });
    } finally {
      h.dispose();
    }
  }
  return out;
}

/** Per-layer top eigenvalues of a session's student on the same fixed batch as its spectrum (measure.ts). */
export async function measureLayerEigenvalues(s: TrainingSession, samples: number, opts: LayerEigenOptions = {}): Promise<LayerSpectrum> {
  const t0 = performance.now();
  const { x, y } = hessianBatch(s, samples);
  try {
    const layers = await layerEigenvalues(s.model, x, y, s.dataset.numClasses, { seed: s.config.seed, ...opts });
    return { layers, samples: x.shape[0], ms: performance.now() - t0 };
  } finally {
    tf.dispose([x, y]);
  }
}
