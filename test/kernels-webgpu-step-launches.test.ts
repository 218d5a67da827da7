/**
 * GPU launches of a cnn-small training step on webgpu with the project's kernels (a count, not a time): the LSQ
 * step within 120 launches and the LSQ+CR step within 2.5× of it, where TF.js's own kernels take about 400 for
 * the LSQ step. The CR step's two student passes share their quantized weights, and its loss agrees with the
 * step that quantizes per pass. Node + Dawn on SwiftShader.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { registerProjectKernels } from '../src/engine/kernels/register';
import { countLaunches } from '../src/engine/kernels/webgpu/launch-counter';
import type { TrainConfigInput } from '../src/engine/train/config';
import { TrainingSession } from '../src/engine/train/session';
import { channelStats, makeBatch } from '../src/engine/data/batches';
import { buildModel } from '../src/engine/models';
import { resolveConfig } from '../src/engine/train/config';
import { createOptimizer } from '../src/engine/train/optimizers';
import { calibrate, queueTrainingStep, readStepScalars } from '../src/engine/train/step';
import { useNodeWebGPU } from './helpers/node-webgpu';
import { syntheticDataset } from './helpers/synthetic-dataset';

useNodeWebGPU({ selectBackend: true });
const ds = syntheticDataset({ height: 28, width: 28, channels: 1, classes: 10, train: 200, test: 10 });

async function launchesPerStep(cfg: TrainConfigInput): Promise<{ launches: number; losses: number[] }> {
  const s = new TrainingSession(ds, { model: 'cnn-small', batchSize: 4, labeled: 100, steps: 4, evalEvery: 0, lr: 0.003, ...cfg });
  const losses = [(await s.trainStep()).loss];
  const counter = countLaunches()!;
  losses.push((await s.trainStep()).loss);
  const launches = counter.count;
  counter.stop();
  losses.push((await s.trainStep()).loss);
  s.dispose();
  return { launches, losses };
}

const CR: TrainConfigInput = { method: 'lsq+cr', cr: { lambda: { kind: 'constant', max: 2 }, unlabeledRatio: 1 } };

describe('launches of a cnn-small step on webgpu', () => {
  it('LSQ ≤ 120, LSQ+CR ≤ 2.5× LSQ, and far fewer than the stock kernels', async () => {
    const lsq = await launchesPerStep({ method: 'lsq' });
    const cr = await launchesPerStep(CR);
    registerProjectKernels('webgpu', 'stock');
    const stock = await launchesPerStep({ method: 'lsq' });
    registerProjectKernels('webgpu', 'custom');
    expect(lsq.launches).toBeLessThanOrEqual(120);
    expect(cr.launches).toBeLessThanOrEqual(2.5 * lsq.launches);
    expect(stock.launches).toBeGreaterThan(3 * lsq.launches);
    // The same step computed two ways: losses agree closely (different kernels, float rounding only).
    for (let i = 0; i < 3; i++) expect(Math.abs(lsq.losses[i] - stock.losses[i])).toBeLessThan(5e-3 * Math.abs(stock.losses[i]));
  }, 300_000);

  it('sharing the quantized weights between the CR step\'s student passes changes the step only by rounding', async () => {
    const run = async (share: boolean) => {
      const cfg = resolveConfig({ model: 'cnn-small', quant: { wbits: 4, abits: 4 } });
      const model = buildModel({ name: 'cnn-small', inputShape: [28, 28, 1], numClasses: 10, quant: cfg.quant, seed: 4 });
      const optimizer = createOptimizer(model.params, cfg.optimizer);
      const norm = channelStats(ds);
      const { x, y } = makeBatch(ds, ds.train, Int32Array.from({ length: 4 }, (_, i) => i), norm);
      const { x: u } = makeBatch(ds, ds.train, Int32Array.from({ length: 4 }, (_, i) => 50 + i), norm);
      calibrate(model, x);
      const labeledTargets = tf.randomNormal([4, 10], 0, 2, 'float32', 1) as tf.Tensor2D;
      const targets = tf.randomNormal([4, 10], 0, 2, 'float32', 2) as tf.Tensor2D;
      const term = { labeledTargets, unlabeled: { x: u, targets }, lambda: 2, temperature: 1, kind: 'kl' as const };
      const counter = countLaunches()!;
      const scalars = await readStepScalars(queueTrainingStep(model, optimizer, x, y, 10, 0.01, term, { shareQuantizedWeights: share }));
      const launches = counter.count;
      counter.stop();
      const weights: number[] = [];
      for (const p of model.params) weights.push(...(await p.variable.data()));
      tf.dispose([x, y, u, labeledTargets, targets]);
      optimizer.dispose();
      model.dispose();
      return { scalars, weights, launches };
    };
    const shared = await run(true);
    const perPass = await run(false);
    expect(perPass.launches).toBeGreaterThan(shared.launches + 10);
    expect(Math.abs(shared.scalars.loss - perPass.scalars.loss)).toBeLessThan(1e-5 * perPass.scalars.loss);
    expect(shared.scalars.consistency).toBeCloseTo(perPass.scalars.consistency, 5);
    const worst = Math.max(...shared.weights.map((w, i) => Math.abs(w - perPass.weights[i]) / Math.max(1, Math.abs(perPass.weights[i]))));
    expect(worst).toBeLessThan(1e-5);
  }, 300_000);
});
