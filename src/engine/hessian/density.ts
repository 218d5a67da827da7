import { Rng } from '../util/rng';
import { lanczos, randomUnitVector, ritz, type Operator } from './lanczos';

/** Nodes and weights of the spectral density (weights sum to 1): the eigenvalue distribution of H. */
export interface EigenDensity {
  nodes: number[];
  weights: number[];
}

/**
 * Stochastic Lanczos quadrature: for each of `runs` random unit vectors, `steps` Lanczos steps; the Ritz values are
 * quadrature nodes and the squared first components of T's eigenvectors their weights. Averaged over runs.
 */
export async function eigenDensity(hvp: Operator, dim: number, opts: { runs?: number; steps?: number; seed?: number; signal?: AbortSignal } = {}): Promise<EigenDensity> {
  const runs = opts.runs ?? 3;
  const steps = Math.min(dim, opts.steps ?? 40);
  const rng = new Rng(opts.seed ?? 0, 'hessian:slq');
  const nodes: number[] = [];
  const weights: number[] = [];
  for (let r = 0; r < runs; r++) {
    const s = await lanczos(hvp, dim, steps, { start: randomUnitVector(dim, rng, true), rng, signal: opts.signal });
    const { values, vectors } = ritz(s);
    values.forEach((v, i) => {
      nodes.push(v);
      weights.push(vectors[i][0] ** 2 / runs);
    });
  }
  return { nodes, weights };
}

/** The density smoothed with a Gaussian of width sigma, on a grid (for plotting). */
export function densityOnGrid(d: EigenDensity, grid: readonly number[], sigma: number): number[] {
  const c = 1 / (sigma * Math.sqrt(2 * Math.PI));
  return grid.map((x) => d.nodes.reduce((acc, t, i) => acc + d.weights[i] * c * Math.exp(-((x - t) ** 2) / (2 * sigma * sigma)), 0));
}
