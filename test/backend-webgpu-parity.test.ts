/**
 * The same LSQ training step of cnn-small on webgpu (Dawn for Node on SwiftShader) and on cpu must agree.
 * Needs SwiftShader's Vulkan driver from Debian's chromium package.
 *
 * Why power-of-two step sizes: with quantized inputs and quantized weights, convolution outputs sit on a lattice,
 * so max-pooling windows hold exact ties. In float32 the rounding of a differently ordered sum then decides which
 * element "wins" (and gets the gradient), and backends order sums differently. Power-of-two steps make every
 * product and sum exact, so ties stay ties and both backends must break them alike (the first maximum).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/engine/backend/select';
import type { BackendName } from '../src/engine/backend/types';
import { channelStats, makeBatch } from '../src/engine/data/batches';
import { buildModel } from '../src/engine/models';
import { createOptimizer } from '../src/engine/train/optimizers';
import { resolveConfig } from '../src/engine/train/config';
import { calibrate, trainingStep } from '../src/engine/train/step';
import { syntheticDataset } from './helpers/synthetic-dataset';
import { useNodeWebGPU } from './helpers/node-webgpu';

const dawn = useNodeWebGPU({ selectBackend: false });

const ds = syntheticDataset({ height: 8, width: 8, channels: 1, classes: 4, train: 64, test: 16 });

async function roundStepsToPowersOfTwo(vars: tf.Variable[]): Promise<void> {
  for (const v of vars) {
    const values = Array.from(await v.data()).map((s) => 2 ** Math.round(Math.log2(s)));
    v.assign(tf.tensor(values, v.shape));
  }
}

/** One LSQ W4A4 step of cnn-small (SGD with momentum and weight decay); every parameter and buffer afterwards. */
async function oneStep(backend: BackendName, perChannel: boolean) {
  const report = await initBackend(backend);
  expect(report.name).toBe(backend);
  const cfg = resolveConfig({ model: 'cnn-small', quant: { wbits: 4, abits: 4, perChannel } });
  const model = buildModel({ name: 'cnn-small', inputShape: [8, 8, 1], numClasses: 4, quant: cfg.quant, seed: 2 });
  const optimizer = createOptimizer(model.params, cfg.optimizer);
  const { x, y } = makeBatch(ds, ds.train, Int32Array.from({ length: 8 }, (_, i) => i * 3), channelStats(ds));
  calibrate(model, x);
  await roundStepsToPowersOfTwo(model.params.filter((p) => p.kind === 'step').map((p) => p.variable));
  const { loss } = await trainingStep(model, optimizer, x, y, 4, 0.05);
  const values: Record<string, number[]> = {};
  for (const p of [...model.params, ...model.buffers]) values[p.name] = Array.from(await p.variable.data());
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  return { loss, values, adapter: report.adapter };
}

function largestDifference(a: Record<string, number[]>, b: Record<string, number[]>) {
  let worst = { name: '', diff: 0 };
  for (const [name, ref] of Object.entries(a)) {
    expect(b[name], name).toHaveLength(ref.length);
    ref.forEach((v, i) => {
      const diff = Math.abs(b[name][i] - v) / Math.max(1, Math.abs(v));
      if (diff > worst.diff) worst = { name: `${name}[${i}]`, diff };
    });
  }
  return worst;
}

describe('webgpu parity', () => {
  it.each([false, true])('one LSQ W4A4 training step of cnn-small matches cpu within 1e-4 (per-channel: %s)', async (perChannel) => {
    const cpu = await oneStep('cpu', perChannel);
    const gpu = await oneStep('webgpu', perChannel);
    expect(gpu.adapter?.description ?? '').not.toBe('');
    expect(Math.abs(gpu.loss - cpu.loss)).toBeLessThan(1e-4);
    const worst = largestDifference(cpu.values, gpu.values);
    expect(worst.diff, `largest difference at ${worst.name}`).toBeLessThan(1e-4);
    // The step moved the weights: a step that did nothing would pass the comparison trivially.
    const init = buildModel({ name: 'cnn-small', inputShape: [8, 8, 1], numClasses: 4, quant: { wbits: 4, abits: 4, firstLastBits: 8, perChannel }, seed: 2 });
    const w0 = Array.from(await init.params.find((p) => p.name === 'conv2/w')!.variable.data());
    init.dispose();
    expect(Math.max(...w0.map((v, i) => Math.abs(v - cpu.values['conv2/w'][i])))).toBeGreaterThan(1e-3);
    expect(dawn.shaderWarnings()).toEqual([]);
  });

  it('max-pool gradients go to the first maximum of a window, as on cpu', async () => {
    const x = [1, 3, 3, 0, 2, 2, 2, 2];
    const run = async (b: BackendName) => {
      await initBackend(b);
      const xt = tf.tensor4d(x, [1, 2, 4, 1]);
      const g = tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid')))(xt);
      const out = Array.from(await g.data());
      tf.dispose([xt, g]);
      return out;
    };
    // Window 1 = [1, 3 / 2, 2]: max 3 at its second element. Window 2 = [3, 0 / 2, 2]: max 3, first element.
    const expected = [0, 1, 1, 0, 0, 0, 0, 0];
    expect(await run('cpu')).toEqual(expected);
    expect(await run('webgpu')).toEqual(expected);
  });
});
