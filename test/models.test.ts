import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, EVAL_CTX, TRAIN_CTX, type ModelName, type ModelSpec } from '../src/engine/models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const quant = { wbits: 4, abits: 4, firstLastBits: 8, perChannel: false };
const spec = (name: ModelName, inputShape: [number, number, number], over: Partial<ModelSpec> = {}): ModelSpec => ({
  name,
  inputShape,
  numClasses: 10,
  quant,
  seed: 0,
  ...over,
});

function steps(name: ModelName, s: Partial<ModelSpec> = {}, shape: [number, number, number] = [28, 28, 1]) {
  const m = buildModel(spec(name, shape, s));
  const out = m.params.filter((p) => p.kind === 'step').map((p) => [p.name, p.variable.shape] as const);
  m.dispose();
  return out;
}

describe('models', () => {
  it.each([
    ['mlp', [28, 28, 1]],
    ['cnn-small', [28, 28, 1]],
    ['cnn-small', [32, 32, 3]],
    ['resnet20', [32, 32, 3]],
    ['resnet20', [28, 28, 1]],
  ] as const)('%s on %j gives logits of shape [batch, classes]', (name, shape) => {
    const m = buildModel(spec(name, [...shape]));
    const y = tf.tidy(() => m.forward(tf.randomNormal([3, ...shape]) as tf.Tensor4D, EVAL_CTX));
    expect(y.shape).toEqual([3, 10]);
    y.dispose();
    m.dispose();
  });

  it('has the expected parameter count (mlp 784-256-256-10, resnet20 ≈ 0.27M)', () => {
    const count = (name: ModelName, shape: [number, number, number]) => {
      const m = buildModel(spec(name, shape, { quant: { ...quant, wbits: 32, abits: 32, firstLastBits: 32 } }));
      const n = m.params.reduce((a, p) => a + p.variable.size, 0);
      m.dispose();
      return n;
    };
    expect(count('mlp', [28, 28, 1])).toBe(784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10);
    const r = count('resnet20', [32, 32, 3]);
    expect(r).toBeGreaterThan(260_000);
    expect(r).toBeLessThan(290_000);
  });

  it('gives the same initial weights for the same seed and different ones for another', () => {
    const w = (seed: number) => {
      const m = buildModel(spec('cnn-small', [28, 28, 1], { seed }));
      const v = Array.from(m.params[0].variable.dataSync());
      m.dispose();
      return v;
    };
    expect(w(5)).toEqual(w(5));
    expect(w(6)).not.toEqual(w(5));
  });

  it('quantizes first and last layers at their own width, inner layers at W/A bits, and nothing in fp32', () => {
    expect(steps('mlp')).toEqual([
      ['fc1/w.step', []],
      ['fc2/w.step', []],
      ['fc2/in.step', []],
      ['fc3/w.step', []],
      ['fc3/in.step', []],
    ]);
    expect(steps('mlp', { quant: { wbits: 32, abits: 32, firstLastBits: 32, perChannel: false } })).toEqual([]);
    // first/last at 32 bits: only the inner layer is quantized.
    expect(steps('mlp', { quant: { ...quant, firstLastBits: 32 } }).map((s) => s[0])).toEqual(['fc2/w.step', 'fc2/in.step']);
  });

  it('per-channel weight steps have one entry per output channel', () => {
    const s = steps('cnn-small', { quant: { ...quant, perChannel: true } });
    expect(s.find(([n]) => n === 'conv2/w.step')?.[1]).toEqual([64]);
    expect(s.find(([n]) => n === 'conv2/in.step')?.[1]).toEqual([]);
    expect(s.find(([n]) => n === 'fc/w.step')?.[1]).toEqual([10]);
  });

  it('initialises weight steps to 2·mean|w|/sqrt(Qp)', () => {
    const m = buildModel(spec('mlp', [28, 28, 1]));
    const w = m.params.find((p) => p.name === 'fc2/w')!.variable;
    const s = m.params.find((p) => p.name === 'fc2/w.step')!.variable;
    const meanAbs = tf.mean(tf.abs(w)).dataSync()[0];
    expect(s.dataSync()[0]).toBeCloseTo((2 * meanAbs) / Math.sqrt(7), 6);
    m.dispose();
  });

  it('BatchNorm uses batch statistics in training and running averages in eval, and updates them only in training', () => {
    const m = buildModel(spec('cnn-small', [8, 8, 1]));
    const x = tf.randomNormal([4, 8, 8, 1], 3, 2, 'float32', 1) as tf.Tensor4D;
    const mean = m.buffers.find((b) => b.name === 'bn1/mean')!.variable;
    const before = Array.from(mean.dataSync());
    const evalOut = tf.tidy(() => m.forward(x, EVAL_CTX));
    expect(Array.from(mean.dataSync())).toEqual(before);
    const trainOut = tf.tidy(() => m.forward(x, TRAIN_CTX));
    expect(Array.from(mean.dataSync())).not.toEqual(before);
    expect(Array.from(trainOut.dataSync())).not.toEqual(Array.from(evalOut.dataSync()));
    tf.dispose([x, evalOut, trainOut]);
    m.dispose();
  });

  it('rejects unknown models and bit widths out of range', () => {
    expect(() => buildModel(spec('vgg' as ModelName, [28, 28, 1]))).toThrow(/unknown model/);
    expect(() => buildModel(spec('mlp', [28, 28, 1], { quant: { ...quant, wbits: 9 } }))).toThrow(/2–8 bits or 32/);
    expect(() => buildModel(spec('mlp', [28, 28, 1], { quant: { ...quant, abits: 1 } }))).toThrow(/activation bits/);
  });
});
