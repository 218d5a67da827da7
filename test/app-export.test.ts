import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../src/config/playground-config';
import { encodeConfig } from '../src/config/url-hash';
import { MODEL_FILE_FORMAT, parseModelFile, restoreModel, serializeModel, type ModelFile } from '../src/engine/export/model-file';
import { stepSizes } from '../src/engine/inspect/step-sizes';
import { weightHistograms } from '../src/engine/inspect/weight-histogram';
import { buildModel, CALIBRATE_CTX, EVAL_CTX, type Model, type ModelName, type ModelSpec } from '../src/engine/models';
import { quantRange } from '../src/engine/quant/lsq';
import { resolveConfig } from '../src/engine/train/config';
import type { EvalMetrics } from '../src/engine/train/metrics';
import { evalsCsv, metricsCsv, metricsJson, type ExportedRun } from '../src/export/metrics-export';
import { METRIC_FIELDS, MetricLog } from '../src/store/metric-log';
import { metricBatchOf } from './helpers/metric-batch';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// ---------------------------------------------------------------------------------------------------------------
// Metrics export
// ---------------------------------------------------------------------------------------------------------------

const metricOf = (step: number, offset: number) => ({
  loss: 2.3 / (1 + step * 0.1) + offset,
  ce: 2.1 / (1 + step * 0.1),
  consistency: offset === 0 ? 0 : 0.1 + step * 0.001,
  lambda: offset === 0 ? 0 : Math.min(1, step / 7),
  accuracy: (step % 10) / 10,
  lr: 0.05 * Math.cos(step / 100),
  msPerStep: step === 1 ? 900 : 3 + (step % 3) * 0.25,
});

function logOf(steps: number[], offset: number): MetricLog {
  const log = new MetricLog();
  log.append(metricBatchOf(steps, (s) => metricOf(s, offset)));
  return log;
}

const evalAt = (step: number, accuracy: number, teacherAccuracy: number | null = null, agreement: number | null = null): EvalMetrics => ({
  step,
  split: 'test',
  accuracy,
  loss: 1.25 - accuracy,
  samples: 1000,
  teacherAccuracy,
  agreement,
});

const lsqSteps = [1, 2, 3, 4, 5];
const crSteps = [1, 2, 3];
const runs: ExportedRun[] = [
  { id: 'lsq', log: logOf(lsqSteps, 0), evals: [evalAt(2, 0.5), evalAt(5, 0.625)], backend: { name: 'cpu', adapter: null, detail: 'plain', fallbacks: [] }, batchSize: 64 },
  { id: 'lsq+cr', log: logOf(crSteps, 0.5), evals: [evalAt(2, 0.75, 0.8, 0.9)], backend: null, batchSize: 64 },
];

describe('metricsCsv', () => {
  const csv = metricsCsv(runs);
  const lines = csv.split('\n');

  it('has the header, one row per run and step, and ends with a newline', () => {
    expect(lines[0]).toBe('run,step,loss,ce,consistency,lambda,accuracy,lr,msPerStep');
    expect(csv.endsWith('\n')).toBe(true);
    expect(lines.at(-1)).toBe('');
    const body = lines.slice(1, -1);
    expect(body).toHaveLength(lsqSteps.length + crSteps.length);
    expect(body.map((l) => l.split(',').slice(0, 2).join(','))).toEqual([...lsqSteps.map((s) => `LSQ,${s}`), ...crSteps.map((s) => `LSQ+CR,${s}`)]);
    for (const l of body) expect(l.split(',')).toHaveLength(9);
  });

  it('values parse back equal at float32 precision', () => {
    const body = lines.slice(1, -1).map((l) => l.split(','));
    for (const cells of body) {
      const offset = cells[0] === 'LSQ' ? 0 : 0.5;
      const step = Number(cells[1]);
      METRIC_FIELDS.forEach((f, j) => {
        const v = Number(cells[2 + j]);
        expect(Number.isNaN(v), `${cells[0]} ${step} ${f}`).toBe(false);
        expect(v, `${cells[0]} ${step} ${f}`).toBe(Math.fround(metricOf(step, offset)[f]));
      });
    }
  });

  it('no runs gives only the header', () => {
    expect(metricsCsv([])).toBe('run,step,loss,ce,consistency,lambda,accuracy,lr,msPerStep\n');
  });
});

describe('evalsCsv', () => {
  it('one row per evaluation; empty cells where there is no teacher', () => {
    const lines = evalsCsv(runs).split('\n');
    expect(lines[0]).toBe('run,step,samples,accuracy,loss,teacher_accuracy,agreement');
    expect(lines.slice(1, -1)).toEqual(['LSQ,2,1000,0.5,0.75,,', 'LSQ,5,1000,0.625,0.625,,', 'LSQ+CR,2,1000,0.75,0.5,0.8,0.9']);
    expect(lines.at(-1)).toBe('');
  });
});

describe('metricsJson', () => {
  const link = `https://example.test/#${encodeConfig(DEFAULT_CONFIG)}`;
  const json = metricsJson(DEFAULT_CONFIG, link, runs);

  it('has format, version, link, config and one entry per run with its label', () => {
    expect(json.format).toBe('qat-playground-metrics');
    expect(json.version).toBe(1);
    expect(json.link).toBe(link);
    expect(json.config).toEqual(DEFAULT_CONFIG);
    expect(json.runs.map((r) => r.run)).toEqual(['LSQ', 'LSQ+CR']);
    expect(json.runs[0].backend).toEqual(runs[0].backend);
    expect(json.runs[1].backend).toBeNull();
  });

  it('steps and metrics are plain arrays of the full log', () => {
    const r = json.runs[1];
    expect(Array.isArray(r.steps)).toBe(true);
    expect(r.steps).toEqual(crSteps);
    expect(Object.keys(r.metrics).sort()).toEqual([...METRIC_FIELDS].sort());
    for (const f of METRIC_FIELDS) {
      expect(Array.isArray(r.metrics[f])).toBe(true);
      expect(r.metrics[f]).toEqual(crSteps.map((s) => Math.fround(metricOf(s, 0.5)[f])));
    }
    expect(r.evals).toEqual(runs[1].evals);
  });

  it('summarises each run (best, final, teacher, throughput without step 1)', () => {
    const ms = lsqSteps.slice(1).reduce((a, s) => a + Math.fround(metricOf(s, 0).msPerStep), 0);
    const sps = (1000 * 4) / ms;
    const s0 = json.runs[0].summary;
    expect(s0.bestAccuracy).toBe(0.625);
    expect(s0.finalAccuracy).toBe(0.625);
    expect(s0.finalStep).toBe(5);
    expect(s0.teacherAccuracy).toBeNull();
    expect(s0.stepsPerSecond).toBeCloseTo(sps, 9);
    expect(s0.imagesPerSecond).toBeCloseTo(sps * 64, 6);
    const s1 = json.runs[1].summary;
    expect(s1).toMatchObject({ bestAccuracy: 0.75, finalAccuracy: 0.75, finalStep: 2, teacherAccuracy: 0.8 });
  });

  it('survives JSON.stringify and parse', () => {
    const back = JSON.parse(JSON.stringify(json));
    expect(back).toEqual(json);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Model files
// ---------------------------------------------------------------------------------------------------------------

const QUANT = { wbits: 2, abits: 2, firstLastBits: 8, perChannel: false };
const SHAPE: [number, number, number] = [8, 8, 1];
const spec = (name: ModelName, seed: number, over: Partial<ModelSpec> = {}): ModelSpec => ({ name, inputShape: SHAPE, numClasses: 3, quant: QUANT, seed, ...over });

const input = () => tf.randomNormal([4, ...SHAPE], 0, 1, 'float32', 7) as tf.Tensor4D;

/** Calibrates the activation steps, then gives every parameter and buffer new random values. */
function perturb(model: Model): void {
  const x = input();
  tf.tidy(() => {
    model.forward(x, CALIBRATE_CTX);
  });
  x.dispose();
  let seed = 100;
  for (const p of model.params) {
    const v = tf.tidy(() =>
      p.kind === 'step' ? tf.randomUniform(p.variable.shape, 0.05, 0.5, 'float32', seed++) : tf.randomNormal(p.variable.shape, 0, 0.3, 'float32', seed++),
    );
    p.variable.assign(v);
    v.dispose();
  }
  for (const b of model.buffers) {
    const v = tf.tidy(() => (b.name.endsWith('/var') ? tf.randomUniform(b.variable.shape, 0.5, 2, 'float32', seed++) : tf.randomNormal(b.variable.shape, 0, 1, 'float32', seed++)));
    b.variable.assign(v);
    v.dispose();
  }
}

const values = (v: tf.Variable) => Array.from(v.dataSync());

function logits(model: Model): Float32Array {
  const x = input();
  const y = tf.tidy(() => model.forward(x, EVAL_CTX));
  const out = y.dataSync() as Float32Array;
  tf.dispose([x, y]);
  return Float32Array.from(out);
}

describe('model file', () => {
  const models: Model[] = [];
  const track = (m: Model) => {
    models.push(m);
    return m;
  };
  afterAll(() => {
    for (const m of models) m.dispose();
  });

  for (const name of ['mlp', 'cnn-small'] as const) {
    it(`${name}: serialize, parse and restore into a model with another seed give equal params, buffers and logits`, async () => {
      const source = track(buildModel(spec(name, 0)));
      perturb(source);
      const config = resolveConfig({ model: name, quant: QUANT, steps: 42 });
      const text = await serializeModel(source, config, 42);
      const file = parseModelFile(text);
      expect(file.format).toBe(MODEL_FILE_FORMAT);
      expect(file.version).toBe(1);
      expect(file.steps).toBe(42);
      expect(file.spec).toEqual(source.spec);
      expect(file.config).toEqual(config);
      expect(file.tensors).toHaveLength(source.params.length + source.buffers.length);
      expect(file.tensors.map((t) => t.name)).toEqual([...source.params.map((p) => p.name), ...source.buffers.map((b) => b.name)]);
      for (const p of source.params) {
        const t = file.tensors.find((s) => s.name === p.name)!;
        expect(t.kind).toBe(p.kind);
        expect(t.shape).toEqual(p.variable.shape);
        expect(t.quant).toEqual(p.quant);
        if (p.kind === 'step') expect(t.quant?.bits).toBeGreaterThan(0);
      }
      if (name === 'cnn-small') expect(file.tensors.filter((t) => t.kind === 'buffer').map((t) => t.name)).toContain('bn1/mean');

      const target = track(buildModel(spec(name, 1)));
      // Different before: the test would notice a restore that does nothing.
      expect(values(target.params[0].variable)).not.toEqual(values(source.params[0].variable));
      const before = tf.memory().numTensors;
      restoreModel(target, file);
      expect(tf.memory().numTensors).toBe(before);
      source.params.forEach((p, i) => {
        expect(target.params[i].name).toBe(p.name);
        expect(values(target.params[i].variable), p.name).toEqual(values(p.variable));
      });
      source.buffers.forEach((b, i) => expect(values(target.buffers[i].variable), b.name).toEqual(values(b.variable)));
      const a = logits(source);
      const b = logits(target);
      expect(a.every(Number.isFinite)).toBe(true);
      expect(Array.from(b)).toEqual(Array.from(a));

      // The restored model counts as calibrated: a calibrating forward must not overwrite its activation steps.
      const stepsBefore = target.params.filter((p) => p.kind === 'step').map((p) => values(p.variable));
      const x = tf.randomNormal([4, ...SHAPE], 5, 3, 'float32', 11) as tf.Tensor4D;
      tf.tidy(() => {
        target.forward(x, CALIBRATE_CTX);
      });
      x.dispose();
      expect(target.params.filter((p) => p.kind === 'step').map((p) => values(p.variable))).toEqual(stepsBefore);
    });
  }

  it('the file is JSON and its tensor data is base64 float32 of the right length', async () => {
    const m = track(buildModel(spec('mlp', 3)));
    const file = JSON.parse(await serializeModel(m, resolveConfig(), 0)) as ModelFile;
    for (const t of file.tensors) {
      const size = t.shape.reduce((a, b) => a * b, 1);
      expect(Buffer.from(t.data, 'base64').length, t.name).toBe(4 * size);
    }
    const w = file.tensors.find((t) => t.name === 'fc1/w')!;
    const bytes = Buffer.from(w.data, 'base64');
    const decoded = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    expect(Array.from(decoded)).toEqual(values(m.params.find((p) => p.name === 'fc1/w')!.variable));
  });

  it('parseModelFile refuses text that is not JSON or not a model file, with a clear message', () => {
    expect(() => parseModelFile('not json')).toThrow('not a model file: it is not JSON');
    expect(() => parseModelFile('{"format":"other"}')).toThrow(/not a qat-playground-model file \(version 1\)/);
    expect(() => parseModelFile('null')).toThrow(/not a qat-playground-model file/);
    expect(() => parseModelFile(JSON.stringify({ format: MODEL_FILE_FORMAT, version: 2, tensors: [] }))).toThrow(/version 1/);
    expect(() => parseModelFile(JSON.stringify({ format: MODEL_FILE_FORMAT, version: 1 }))).toThrow(/not a qat-playground-model file/);
    // A file without a spec cannot be built from: it is refused before anything is.
    expect(() => parseModelFile(JSON.stringify({ format: MODEL_FILE_FORMAT, version: 1, tensors: [] }))).toThrow(/it has no spec/);
    const minimal = { format: MODEL_FILE_FORMAT, version: 1, spec: spec('mlp', 0), tensors: [] };
    expect(() => parseModelFile(JSON.stringify(minimal))).not.toThrow();
  });

  it('restoreModel names a missing tensor', async () => {
    const m = track(buildModel(spec('mlp', 0)));
    const file = parseModelFile(await serializeModel(m, resolveConfig(), 1));
    file.tensors = file.tensors.filter((t) => t.name !== 'fc2/w.step');
    const target = track(buildModel(spec('mlp', 1)));
    expect(() => restoreModel(target, file)).toThrow('the model file has no tensor "fc2/w.step"');
  });

  it('restoreModel names a tensor of the wrong length', async () => {
    const m = track(buildModel(spec('mlp', 0)));
    const file = parseModelFile(await serializeModel(m, resolveConfig(), 1));
    const t = file.tensors.find((s) => s.name === 'fc3/b')!;
    t.data = Buffer.from(new Float32Array([1, 2]).buffer).toString('base64');
    const target = track(buildModel(spec('mlp', 1)));
    expect(() => restoreModel(target, file)).toThrow('"fc3/b" holds 2 values, the model needs 3');
  });

  it('restoreModel names a tensor whose shape differs even when the size is the same', async () => {
    const m = track(buildModel(spec('mlp', 0)));
    const file = parseModelFile(await serializeModel(m, resolveConfig(), 1));
    const target = track(buildModel(spec('mlp', 1)));
    const t1 = file.tensors.find((s) => s.name === 'fc1/w')!;
    t1.shape = [t1.shape[1], t1.shape[0]];
    expect(() => restoreModel(target, file)).toThrow('"fc1/w" has shape [256,64], the model needs [64,256]');
  });

  it('restoreModel names a tensor whose data is not base64 or not whole float32 values', async () => {
    const m = track(buildModel(spec('mlp', 0)));
    const file = parseModelFile(await serializeModel(m, resolveConfig(), 1));
    const t = file.tensors.find((s) => s.name === 'fc3/b')!;
    const target = track(buildModel(spec('mlp', 1)));
    t.data = '!!!';
    expect(() => restoreModel(target, file)).toThrow('"fc3/b" is damaged: its data is not base64');
    t.data = Buffer.from([1, 2, 3]).toString('base64');
    expect(() => restoreModel(target, file)).toThrow('"fc3/b" is damaged: 3 bytes is not a whole number of float32 values');
  });

  it('restoreModel of a file of another model names the first tensor it lacks', async () => {
    const m = track(buildModel(spec('mlp', 0)));
    const file = parseModelFile(await serializeModel(m, resolveConfig(), 1));
    const cnn = track(buildModel(spec('cnn-small', 0)));
    expect(() => restoreModel(cnn, file)).toThrow('the model file has no tensor "conv1/w"');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Weight histograms and step sizes
// ---------------------------------------------------------------------------------------------------------------

describe('weightHistograms', () => {
  it('counts sum to the weights of each layer and the range covers the lattice', async () => {
    const m = buildModel(spec('cnn-small', 0));
    perturb(m);
    const before = tf.memory().numTensors;
    const hs = await weightHistograms(m, 32);
    expect(tf.memory().numTensors).toBe(before);
    const weights = m.params.filter((p) => p.kind === 'weight');
    expect(hs.map((h) => h.name)).toEqual(weights.map((p) => p.name));
    expect(hs.map((h) => h.name)).toEqual(['conv1/w', 'conv2/w', 'conv3/w', 'fc/w']);
    for (const h of hs) {
      const p = weights.find((w) => w.name === h.name)!;
      const v = p.variable.dataSync();
      expect(h.counts).toHaveLength(32);
      expect(h.counts.reduce((a, b) => a + b, 0), h.name).toBe(p.variable.size);
      const stepVar = m.params.find((s) => s.name === `${h.name}.step`)!;
      expect(h.bits).toBe(stepVar.quant!.bits);
      expect(h.bits).toBe(h.name === 'conv1/w' || h.name === 'fc/w' ? 8 : 2);
      expect(h.step).toBeCloseTo(stepVar.variable.dataSync()[0], 6);
      const { qn, qp } = quantRange(h.bits, true);
      expect([h.qn, h.qp]).toEqual([qn, qp]);
      const hi = h.min + 32 * h.binWidth;
      const eps = 1e-9;
      expect(h.min).toBeLessThanOrEqual(-(qn + 0.5) * h.step! + eps);
      expect(hi).toBeGreaterThanOrEqual((qp + 0.5) * h.step! - eps);
      expect(h.min).toBeLessThanOrEqual(Math.min(...v));
      expect(hi).toBeGreaterThanOrEqual(Math.max(...v) - eps);
      // The range is no wider than it needs to be.
      expect(h.min).toBeCloseTo(Math.min(Math.min(...v), -(qn + 0.5) * h.step!), 6);
      expect(hi).toBeCloseTo(Math.max(Math.max(...v), (qp + 0.5) * h.step!), 6);
      let clipped = 0;
      for (const x of v) if (x < -(qn + 0.5) * h.step! || x > (qp + 0.5) * h.step!) clipped++;
      expect(h.clipped).toBeCloseTo(clipped / v.length, 12);
    }
    // 2-bit layers with random steps of at most 0.5 and weights of σ 0.3: some are clipped.
    expect(hs.some((h) => h.clipped > 0)).toBe(true);
    m.dispose();
  });

  it('clipped share and bins are exact for weights set by hand', async () => {
    const m = buildModel(spec('mlp', 0, { quant: { wbits: 2, abits: 2, firstLastBits: 32, perChannel: false } }));
    const w = m.params.find((p) => p.name === 'fc2/w')!;
    const s = m.params.find((p) => p.name === 'fc2/w.step')!;
    expect(s.quant).toEqual({ bits: 2, signed: true });
    const n = w.variable.size;
    expect(n).toBe(256 * 256);
    // Step 0.1 at 2 bits: levels −2, −1, 0, 1 (×0.1); LSQ's range is [−0.25, 0.15].
    const v = new Float32Array(n);
    const above = 100; // 1.0: clipped
    const below = 60; // −1.0: clipped
    const justAbove = 7; // 0.16: clipped
    const justBelow = 5; // −0.26: clipped
    const insideHi = 11; // 0.14: kept
    const insideLo = 13; // −0.24: kept
    let i = 0;
    for (let k = 0; k < above; k++) v[i++] = 1;
    for (let k = 0; k < below; k++) v[i++] = -1;
    for (let k = 0; k < justAbove; k++) v[i++] = 0.16;
    for (let k = 0; k < justBelow; k++) v[i++] = -0.26;
    for (let k = 0; k < insideHi; k++) v[i++] = 0.14;
    for (let k = 0; k < insideLo; k++) v[i++] = -0.24;
    const wt = tf.tensor(v, w.variable.shape);
    w.variable.assign(wt);
    wt.dispose();
    const st = tf.scalar(0.1);
    s.variable.assign(st);
    st.dispose();

    const hs = await weightHistograms(m, 64);
    const h = hs.find((x) => x.name === 'fc2/w')!;
    expect(h.bits).toBe(2);
    expect(h.step).toBeCloseTo(0.1, 7);
    expect(h.qn).toBe(2);
    expect(h.qp).toBe(1);
    expect(h.clipped).toBe((above + below + justAbove + justBelow) / n);
    expect(h.min).toBe(-1);
    expect(h.binWidth).toBeCloseTo(2 / 64, 12);
    expect(h.counts[0]).toBe(below);
    expect(h.counts[63]).toBe(above);
    const bin = (x: number) => Math.floor((Math.fround(x) + 1) / (2 / 64));
    expect(h.counts[bin(0.16)]).toBe(justAbove);
    expect(h.counts[bin(-0.26)]).toBe(justBelow);
    expect(h.counts[bin(0.14)]).toBe(insideHi);
    expect(h.counts[bin(-0.24)]).toBe(insideLo);
    expect(h.counts[bin(0)]).toBe(n - i);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(n);

    // First and last layers at 32 bits: no quantizer, step null, nothing clipped, range from the weights alone.
    for (const name of ['fc1/w', 'fc3/w']) {
      const f = hs.find((x) => x.name === name)!;
      const fv = m.params.find((p) => p.name === name)!.variable.dataSync();
      expect(f.bits).toBe(32);
      expect(f.step).toBeNull();
      expect(f.qn).toBe(0);
      expect(f.qp).toBe(0);
      expect(f.clipped).toBe(0);
      expect(f.min).toBe(Math.min(...fv));
      expect(f.counts.reduce((a, b) => a + b, 0)).toBe(fv.length);
    }
    m.dispose();
  });

  it('a layer whose weights are all equal has one full bin (no division by zero) when not quantized', async () => {
    const m = buildModel(spec('mlp', 0, { quant: { wbits: 32, abits: 32, firstLastBits: 32, perChannel: false } }));
    const w = m.params.find((p) => p.name === 'fc3/w')!;
    const z = tf.fill(w.variable.shape, 0.25);
    w.variable.assign(z);
    z.dispose();
    const h = (await weightHistograms(m, 16)).find((x) => x.name === 'fc3/w')!;
    expect(h.step).toBeNull();
    expect(h.binWidth).toBe(1);
    expect(h.min).toBe(0.25);
    expect(h.counts[0]).toBe(w.variable.size);
    m.dispose();
  });

  it('per-channel steps are reported as their mean', async () => {
    const m = buildModel(spec('cnn-small', 0, { quant: { ...QUANT, perChannel: true } }));
    const s = m.params.find((p) => p.name === 'conv2/w.step')!;
    expect(s.variable.shape).toEqual([64]);
    const vals = Array.from(s.variable.dataSync());
    const h = (await weightHistograms(m)).find((x) => x.name === 'conv2/w')!;
    expect(h.counts).toHaveLength(64);
    expect(h.step).toBeCloseTo(vals.reduce((a, b) => a + b, 0) / vals.length, 7);
    m.dispose();
  });

  it('per-channel clipping uses each channel\'s own step, not the mean', async () => {
    const m = buildModel({ name: 'mlp', inputShape: [8, 8, 1], numClasses: 3, quant: { wbits: 2, abits: 2, firstLastBits: 8, perChannel: true }, seed: 0 });
    const w = m.params.find((p) => p.name === 'fc2/w')!.variable;
    const s = m.params.find((p) => p.name === 'fc2/w.step')!.variable;
    const units = s.shape[0];
    // Half the channels clip 0.1 (step 0.01: the lattice ends at 1.5·0.01), half do not (step 1).
    s.assign(tf.tensor1d(Array.from({ length: units }, (_, c) => (c % 2 === 0 ? 0.01 : 1))));
    w.assign(tf.fill(w.shape, 0.1));
    const h = (await weightHistograms(m)).find((x) => x.name === 'fc2/w')!;
    expect(h.clipped).toBeCloseTo(0.5, 6);
    m.dispose();
  });
});

describe('stepSizes', () => {
  it('returns one mean per step parameter, in order, named *.step, without leaking tensors', async () => {
    const m = buildModel(spec('cnn-small', 0, { quant: { ...QUANT, perChannel: true } }));
    perturb(m);
    const before = tf.memory().numTensors;
    const { names, values: v } = await stepSizes(m);
    expect(tf.memory().numTensors).toBe(before);
    const steps = m.params.filter((p) => p.kind === 'step');
    expect(names).toEqual(steps.map((p) => p.name));
    expect(names.length).toBeGreaterThan(4);
    for (const n of names) expect(n).toMatch(/\.step$/);
    expect(v).toBeInstanceOf(Float32Array);
    expect(v).toHaveLength(names.length);
    steps.forEach((p, i) => {
      const d = Array.from(p.variable.dataSync());
      expect(v[i], p.name).toBeCloseTo(d.reduce((a, b) => a + b, 0) / d.length, 6);
    });
    // Per-channel steps are vectors, so a mean really is taken somewhere.
    expect(steps.some((p) => p.variable.size > 1)).toBe(true);
    m.dispose();
  });

  it('gives the mlp step names, and nothing for an fp32 model', async () => {
    const m = buildModel(spec('mlp', 0));
    expect((await stepSizes(m)).names).toEqual(['fc1/w.step', 'fc2/w.step', 'fc2/in.step', 'fc3/w.step', 'fc3/in.step']);
    m.dispose();
    const fp = buildModel(spec('mlp', 0, { quant: { wbits: 32, abits: 32, firstLastBits: 32, perChannel: false } }));
    const r = await stepSizes(fp);
    expect(r.names).toEqual([]);
    expect(r.values).toHaveLength(0);
    fp.dispose();
  });
});
