/**
 * The exported PyTorch code against the engine (TF.js, cpu backend): from the same weights and the same batch and
 * views (all written by the engine), one LSQ step and one LSQ+CR step give the same loss, gradients of every
 * parameter and step size, updated weights, BatchNorm statistics and teacher, to 1e-4 relative (max |a − b| over
 * max |b| per tensor). Float rounding differs (sums add in another order), so inputs must stay off the quantizers'
 * rounding boundaries: test/torch/parity.py nudges each activation step until every quantizer input is 20 times
 * farther from a boundary than float32 and float64 disagree there, and checks ReLU and max-pool margins.
 * Also: the project's initial weights and calibration, its split, batches, unlabeled picks, views and schedules
 * are the engine's. Skipped (with the reason) where /usr/bin/python3 has no torch.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { augmentBatch } from '../src/engine/augment/augment';
import { EmaTeacher, emaDecayAt } from '../src/engine/cr/ema-teacher';
import { lambdaAt } from '../src/engine/cr/lambda-schedule';
import { initBackend } from '../src/engine/backend/select';
import { BatchSampler, channelStats, makeBatch } from '../src/engine/data/batches';
import { loadCifarDataset } from '../src/engine/data/cifar-dataset';
import { loadIdxDataset, FASHION_MNIST_FILES } from '../src/engine/data/fashion-mnist';
import { splitTrain } from '../src/engine/data/split';
import { UnlabeledPool } from '../src/engine/data/unlabeled-pool';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../src/engine/export/torch/safetensors';
import { buildModel, type ModelName, type ModelSpec } from '../src/engine/models';
import { writeVariables } from '../src/engine/train/checkpoint';
import { resolveConfig, type TrainConfig, type TrainConfigInput } from '../src/engine/train/config';
import { cosineLr } from '../src/engine/train/lr-schedule';
import { createOptimizer, type Optimizer } from '../src/engine/train/optimizers';
import { calibrate, trainingStep, type ConsistencyTerm } from '../src/engine/train/step';
import { Rng } from '../src/engine/util/rng';
import { cifarBatchBytes } from './helpers/data-format';
import { syntheticDataset } from './helpers/synthetic-dataset';
import { lastJson, PARITY_DRIVER, python, tensorsOf, torchMissing, torchVersion, writeIdxDataset, writeProject } from './torch/helpers';

const missing = torchMissing();
if (missing) console.warn(`export-torch parity tests skipped: ${missing}`);

let root: string;
let project: string;

beforeAll(async () => {
  if (missing) return;
  root = mkdtempSync(join(tmpdir(), 'export-torch-parity-'));
  project = join(root, 'project');
  // The Python modules are what matter here; the run's settings of each case travel in its case.json.
  await writeProject(project, {}, { kind: 'idx', name: 'synthetic', dir: root, inputShape: [8, 8, 1] });
  console.log(`torch ${torchVersion()}`);
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** One step's gradients as the engine's optimizer receives them, then the real update. */
function spyOn(inner: Optimizer, names: Map<string, string>, into: Map<string, Float32Array>): Optimizer {
  return {
    apply(grads, lr) {
      for (const [variable, g] of Object.entries(grads)) into.set(names.get(variable)!, Float32Array.from(g.dataSync()));
      inner.apply(grads, lr);
    },
    state: () => inner.state(),
    restore: (s) => inner.restore(s),
    dispose: () => inner.dispose(),
  };
}

function gaussian(rng: Rng, shape: number[], scale = 1): tf.Tensor4D {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(Float32Array.from({ length: n }, () => rng.normal() * scale), shape as [number, number, number, number]);
}

interface Case {
  label: string;
  model: ModelName;
  input: TrainConfigInput;
  inputShape: [number, number, number];
  classes: number;
  batch: number;
}

// Max-pooling after a convolution of quantized inputs by quantized weights compares sums on a lattice, where equal
// values are common and float rounding picks the winner: the conv model with quantized activations is resnet20
// (global average pooling only); cnn-tiny covers max-pooling with full-precision activations inside.
const CASES: Case[] = [
  { label: 'mlp LSQ W2A2, SGD', model: 'mlp', input: { quant: { wbits: 2, abits: 2 } }, inputShape: [8, 8, 1], classes: 5, batch: 6 },
  {
    label: 'mlp LSQ+CR W4A4 per-channel, Adam, full-precision teacher, KL τ 2',
    model: 'mlp',
    // ε = 1e-4: Adam's first step is lr·g/(|g| + ε), which for |g| ≈ 1e-8 turns float noise in g into a visible update.
    input: { method: 'lsq+cr', quant: { wbits: 4, abits: 4, perChannel: true }, optimizer: { name: 'adam', epsilon: 1e-4 }, lr: 0.01, cr: { temperature: 2, teacher: { quantized: false } } },
    inputShape: [8, 8, 1],
    classes: 5,
    batch: 6,
  },
  { label: 'resnet20 LSQ W4A4 per-channel, SGD', model: 'resnet20', input: { quant: { wbits: 4, abits: 4, perChannel: true } }, inputShape: [8, 8, 2], classes: 4, batch: 4 },
  {
    label: 'resnet20 LSQ+CR W2A2, SGD, quantized teacher with its own BatchNorm statistics',
    model: 'resnet20',
    input: { method: 'lsq+cr', quant: { wbits: 2, abits: 2 }, cr: { teacher: { bnStats: 'own', decay: 0.9 } } },
    inputShape: [8, 8, 2],
    classes: 4,
    batch: 4,
  },
  { label: 'cnn-tiny LSQ W3, full-precision activations inside, SGD', model: 'cnn-tiny', input: { quant: { wbits: 3, abits: 32 } }, inputShape: [8, 8, 1], classes: 4, batch: 4 },
];

const tensorsFile = (dir: string, name: string, tensors: NamedTensor[], meta: Record<string, string> = {}) => writeFileSync(join(dir, name), encodeSafetensors(tensors, meta));
const readTensors = (dir: string, name: string) => new Map(decodeSafetensors(readFileSync(join(dir, name))).tensors.map((t) => [t.name, t.data]));

describe.skipIf(missing !== null)('export-torch: one training step in PyTorch equals the engine', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  const report: Record<string, unknown> = {};
  afterAll(() => {
    if (Object.keys(report).length > 0) console.log(`parity (max relative difference per tensor kind):\n${JSON.stringify(report, null, 1)}`);
  });

  for (const c of CASES) {
    it(c.label, async () => {
      const cfg: TrainConfig = resolveConfig({ model: c.model, seed: 3, batchSize: c.batch, ...c.input });
      const cr = cfg.method === 'lsq+cr';
      const dir = join(root, c.label.replace(/[^a-z0-9]+/gi, '-'));
      mkdirSync(dir, { recursive: true });
      const spec: ModelSpec = { name: c.model, inputShape: c.inputShape, numClasses: c.classes, quant: cfg.quant, seed: cfg.seed };
      // Inputs and weights until the probe finds no quantizer input, ReLU gate or max-pool winner that float rounding
      // could decide differently (usually the first try).
      let model = buildModel(spec);
      let x!: tf.Tensor4D, u!: tf.Tensor4D, y!: tf.Tensor1D, xA!: tf.Tensor4D, xB!: tf.Tensor4D, uA!: tf.Tensor4D, uB!: tf.Tensor4D;
      const lambda = 1.7;
      const lr = cosineLr(4, 20, cfg.lr, 2);
      let probed: Record<string, unknown> = {};
      for (let attempt = 0; attempt < 6; attempt++) {
        if (attempt > 0) {
          model.dispose();
          tf.dispose([x, u, y, xA, xB, uA, uB]);
          model = buildModel(spec);
        }
        const rng = new Rng(11 + attempt, `parity:${c.label}`);
        // Biases and BatchNorm's γ, β off their initial 0 and 1, so no pre-activation is an exact cancellation
        // that float rounding turns into a tiny value of either sign.
        for (const p of model.params) {
          if (p.kind === 'bias' || p.kind === 'bn-beta') p.variable.assign(gaussian(rng, [1, 1, 1, p.variable.size], 0.05).reshape(p.variable.shape));
          if (p.kind === 'bn-gamma') p.variable.assign(gaussian(rng, [1, 1, 1, p.variable.size], 0.1).add(1).reshape(p.variable.shape));
        }
        const [h, w, ch] = c.inputShape;
        x = gaussian(rng, [c.batch, h, w, ch]);
        u = gaussian(rng, [c.batch, h, w, ch]);
        y = tf.tensor1d(Int32Array.from({ length: c.batch }, (_, i) => (i + rng.int(c.classes)) % c.classes), 'int32');
        calibrate(model, x);
        // Views with noise and cut-out (the cpu backend's Transform, which shifts and flips, is left out: see the report).
        const aug = { translate: 0, flip: false, noise: 0.3, cutout: 3 };
        [xA, xB, uA, uB] = ['a', 'b', 'ua', 'ub'].map((p, i) => augmentBatch(i < 2 ? x : u, aug, new Rng(5 + attempt, p)));
        writeFileSync(
          join(dir, 'case.json'),
          JSON.stringify({ model: c.model, inputShape: c.inputShape, numClasses: c.classes, quant: cfg.quant, method: cfg.method, config: cfg, teacher: cfg.cr.teacher, lambda, lr, tolerance: 1e-4 }),
        );
        const inputs: NamedTensor[] = [['x', x], ['xA', xA], ['xB', xB], ['uA', uA], ['uB', uB]].map(([name, t]) => ({ name: name as string, shape: (t as tf.Tensor).shape, data: Float32Array.from((t as tf.Tensor).dataSync()) }));
        inputs.push({ name: 'y', shape: [c.batch], data: Float32Array.from(y.dataSync()) });
        tensorsFile(dir, 'inputs.safetensors', inputs);
        tensorsFile(dir, 'weights.safetensors', tensorsOf([...model.params.map((p) => ({ name: p.name, variable: p.variable })), ...model.buffers]));
        probed = lastJson(await python([PARITY_DRIVER, 'probe', project, dir]));
        if (probed.ok) {
          probed.attempts = attempt + 1;
          break;
        }
      }
      expect(probed.ok, JSON.stringify(probed)).toBe(true);
      const adjusted = readTensors(dir, 'adjusted.safetensors');
      writeVariables(model, Object.fromEntries(adjusted), 'student');

      // The engine's step, wired as TrainingSession wires it (teacher on view B, student on view A).
      const names = new Map(model.params.map((p) => [p.variable.name, p.name]));
      const grads = new Map<string, Float32Array>();
      const optimizer = spyOn(createOptimizer(model.params, cfg.optimizer), names, grads);
      let teacher: EmaTeacher | null = null;
      let term: ConsistencyTerm | null = null;
      if (cr) {
        teacher = new EmaTeacher(model, cfg.cr.teacher);
        const t = teacher;
        const labeledTargets = tf.tidy(() => t.model.forward(xB, t.forwardContext));
        const targets = tf.tidy(() => t.model.forward(uB, t.forwardContext));
        term = { labeledTargets, unlabeled: { x: uA, targets }, lambda, temperature: cfg.cr.temperature, kind: cfg.cr.consistency };
      }
      const result = await trainingStep(model, optimizer, xA, y, c.classes, lr, term);
      teacher?.update();
      const out: NamedTensor[] = [...grads].map(([name, data]) => ({ name: `grad:${name}`, shape: [...model.params.find((p) => p.name === name)!.variable.shape], data }));
      out.push(...tensorsOf([...model.params.map((p) => ({ name: p.name, variable: p.variable })), ...model.buffers], 'after:'));
      if (teacher) out.push(...tensorsOf([...teacher.model.params.map((p) => ({ name: p.name, variable: p.variable })), ...teacher.model.buffers], 'teacher:'));
      tensorsFile(dir, 'engine.safetensors', out);
      writeFileSync(join(dir, 'engine.json'), JSON.stringify(result));

      const compared = await python([PARITY_DRIVER, 'compare', project, dir]);
      const r = lastJson(compared);
      const kinds = r.kinds as Record<string, { max: number; worst: string; tensors: number }>;
      report[c.label] = { attempts: probed.attempts, ...Object.fromEntries(Object.entries(kinds).map(([k, v]) => [k, `${v.max.toExponential(2)} (${v.tensors} tensors, worst ${v.worst})`])), engineLoss: result.loss };
      expect(r.missingGrads).toEqual([]);
      expect(Object.keys(kinds)).toEqual(expect.arrayContaining(['loss', 'grad:weight', 'grad:step', 'updated:param', ...(c.model.startsWith('mlp') ? ['grad:bias'] : ['grad:bn', 'updated:bn-stats']), ...(cr ? ['teacher:param'] : [])]));
      expect(r.ok, JSON.stringify(r, null, 1)).toBe(true);
      tf.dispose([x, u, y, xA, xB, uA, uB]);
      if (term) tf.dispose([term.labeledTargets, term.unlabeled!.targets]);
      teacher?.dispose();
      optimizer.dispose();
      model.dispose();
    });
  }

  it("starts from the engine's initial weights and calibrates as the engine does (every model, odd image sizes)", async () => {
    for (const name of ['mlp', 'mlp-narrow', 'cnn-tiny', 'cnn-small', 'resnet20'] as const) {
      const dir = join(root, `init-${name}`);
      mkdirSync(dir, { recursive: true });
      const quant = { wbits: 3, abits: 3, firstLastBits: 8, perChannel: name === 'cnn-tiny' || name === 'resnet20' };
      // 10×10: strided 'same' convolutions pad 0 before and 1 after (10 → 5), then 1 and 1 (5 → 3).
      const spec: ModelSpec = { name, inputShape: [10, 10, 2], numClasses: 4, quant, seed: 7 };
      const model = buildModel(spec);
      const vars = () => tensorsOf([...model.params.map((p) => ({ name: p.name, variable: p.variable })), ...model.buffers]);
      tensorsFile(dir, 'init.safetensors', vars());
      const x = gaussian(new Rng(1, 'calibration'), [5, 10, 10, 2]);
      calibrate(model, x);
      tensorsFile(dir, 'calibrated.safetensors', vars());
      tensorsFile(dir, 'inputs.safetensors', [{ name: 'x', shape: x.shape, data: Float32Array.from(x.dataSync()) }]);
      writeFileSync(join(dir, 'case.json'), JSON.stringify({ model: name, inputShape: spec.inputShape, numClasses: 4, quant, seed: 7 }));
      const r = lastJson(await python([PARITY_DRIVER, 'init', project, dir]));
      report[`init + calibration ${name}`] = r;
      expect(r.ok, JSON.stringify(r)).toBe(true);
      x.dispose();
      model.dispose();
    }
  });
});

describe.skipIf(missing !== null)("export-torch: the project's data pipeline is the engine's", () => {
  it('labeled subset, validation, unlabeled pool, batches, unlabeled picks, views and schedules', async () => {
    // wasm: the cpu backend's Transform kernel shifts and flips only the first image of a batch.
    await initBackend('wasm');
    const dir = join(root, 'data');
    const synthetic = syntheticDataset({ height: 10, width: 9, channels: 1, classes: 5, train: 230, test: 20, seed: 4 });
    writeIdxDataset(dir, synthetic);
    const ds = await loadIdxDataset(dir, async (f) => new Uint8Array(readFileSync(join(dir, f))), FASHION_MNIST_FILES);
    const seed = 9;
    const split = splitTrain(ds.train.labels, ds.numClasses, { labeled: 47, validation: 13, seed });
    const sampler = new BatchSampler(split.labeled, seed, 'labeled');
    const batch = 20;
    const batches = [0, 1, 2, 3].map(() => Array.from(sampler.next(batch)));
    const pool = new UnlabeledPool(ds, split.unlabeled, seed);
    const norm = channelStats(ds);
    const { x, y } = makeBatch(ds, ds.train, batches[0], norm);
    y.dispose();
    // The unlabeled batches, as pixels: the project must pick the same images.
    const unlabeled = [0, 1, 2, 3].map(() => pool.sample(batch, norm));
    const views: Record<string, TrainConfig['augment']> = {
      shiftFlipCutout: { translate: 2, flip: true, noise: 0, cutout: 3 },
      flip: { translate: 0, flip: true, noise: 0, cutout: 0 },
      cutout: { translate: 0, flip: false, noise: 0, cutout: 4 },
    };
    const tensors: NamedTensor[] = [x, ...unlabeled].map((t, i) => ({ name: i === 0 ? 'x' : `u${i - 1}`, shape: t.shape, data: Float32Array.from(t.dataSync()) }));
    for (const [name, a] of Object.entries(views)) {
      const v = augmentBatch(x, { ...a, flip: a.flip === true }, new Rng(seed, 'view-a'));
      tensors.push({ name, shape: v.shape, data: Float32Array.from(v.dataSync()) });
      v.dispose();
    }
    tensorsFile(dir, 'views.safetensors', tensors);
    const lambdas = (['sigmoid', 'linear', 'cosine', 'step', 'constant'] as const).map((kind) => ({ kind, max: 2.5, rampSteps: 7 }));
    const schedules = {
      steps: 12,
      lr: 0.05,
      warmup: 3,
      lr_values: Array.from({ length: 12 }, (_, t) => cosineLr(t, 12, 0.05, 3)),
      lambda_values: lambdas.map((l) => [l, Array.from({ length: 10 }, (_, t) => lambdaAt(t, l))]),
      decay: 0.97,
      ema_values: Array.from({ length: 60 }, (_, t) => emaDecayAt(t, 0.97)),
    };
    const expect_ = { labeled: Array.from(split.labeled), validation: Array.from(split.validation), unlabeled: Array.from(split.unlabeled), batches };
    writeFileSync(join(dir, 'case.json'), JSON.stringify({ dir, name: dir, labeled: 47, validation: 13, seed, batch, batches: 4, expect: expect_, views, schedules }));
    // CIFAR-10 binary batches (planes R, G, B per record): the same pixels, labels and normalisation.
    const cifar = join(root, 'cifar');
    mkdirSync(cifar, { recursive: true });
    const names = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
    names.forEach((f, i) => writeFileSync(join(cifar, f), cifarBatchBytes(Array.from({ length: 3 }, (_, r) => [(i + r) % 10]), 3 * i)));
    writeFileSync(join(cifar, 'test_batch.bin'), cifarBatchBytes([[1], [7]], 99));
    const c10 = await loadCifarDataset('cifar10', async (f) => new Uint8Array(readFileSync(join(cifar, f))));
    const cifarBatch = makeBatch(c10, c10.train, [14, 0, 5, 9], channelStats(c10));
    tensorsFile(cifar, 'batch.safetensors', [
      { name: 'x', shape: cifarBatch.x.shape, data: Float32Array.from(cifarBatch.x.dataSync()) },
      { name: 'y', shape: [4], data: Float32Array.from(cifarBatch.y.dataSync()) },
    ]);
    tf.dispose([cifarBatch.x, cifarBatch.y]);
    writeFileSync(join(dir, 'case.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')), cifar: { dir: cifar, indices: [14, 0, 5, 9] } }));
    const r = lastJson(await python([PARITY_DRIVER, 'data', project, dir]));
    expect(r.ok, JSON.stringify(r)).toBe(true);
    tf.dispose([x, ...unlabeled]);
  });
});
