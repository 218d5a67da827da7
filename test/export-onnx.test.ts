import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import protobuf from 'protobufjs';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExportOnnx } from '../src/cli/export-onnx-run';
import { initBackend } from '../src/engine/backend/select';
import { channelStats, makeBatch } from '../src/engine/data/batches';
import type { Dataset } from '../src/engine/data/types';
import { parseModelFile, serializeModel, type ModelFile } from '../src/engine/export/model-file';
import { activationQuantizerOnnx } from '../src/engine/export/onnx/convert';
import { FASHION_MNIST_NORMALIZATION, modelFileToOnnx, ONNX_INPUT, ONNX_OUTPUT, resolveNormalization, roundHalfEven } from '../src/engine/export/onnx';
import { EVAL_CTX, type ModelName } from '../src/engine/models';
import { lsqFakeQuant } from '../src/engine/quant/lsq';
import type { QuantConfig } from '../src/engine/quant/config';
import type { Method } from '../src/engine/train/config';
import { TrainingSession } from '../src/engine/train/session';
import { loadFashionMnistNode } from '../src/node/project-files';
import { syntheticDataset } from './helpers/synthetic-dataset';

/** The fields of onnx/onnx.proto these tests read back, for an independent, schema-driven decoder. */
const ONNX_SUBSET_PROTO = `
syntax = "proto2";
package onnx;
message AttributeProto { optional string name = 1; optional float f = 2; optional int64 i = 3; optional bytes s = 4;
  repeated float floats = 7; repeated int64 ints = 8; optional int32 type = 20; }
message NodeProto { repeated string input = 1; repeated string output = 2; optional string name = 3; optional string op_type = 4;
  repeated AttributeProto attribute = 5; }
message TensorProto { repeated int64 dims = 1; optional int32 data_type = 2; optional string name = 8; optional bytes raw_data = 9; }
message GraphProto { repeated NodeProto node = 1; optional string name = 2; repeated TensorProto initializer = 5; }
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
message ModelProto { optional int64 ir_version = 1; optional string producer_name = 2; optional GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8; }
`;
const ModelProto = protobuf.parse(ONNX_SUBSET_PROTO, { keepCase: true }).root.lookupType('onnx.ModelProto');

interface Decoded {
  ir_version: number;
  opset_import: { version: number }[];
  graph: {
    node: { op_type: string; input: string[]; output: string[]; attribute?: { name: string; i?: number; ints?: number[] }[] }[];
    initializer: { name: string; dims?: number[]; data_type: number; raw_data: Uint8Array }[];
  };
}

function decode(bytes: Uint8Array): Decoded {
  return ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, bytes: Uint8Array, defaults: false, arrays: true }) as unknown as Decoded;
}

function initializer(d: Decoded, name: string): { dims: number[]; dataType: number; bytes: Uint8Array } {
  const t = d.graph.initializer.find((i) => i.name === name);
  if (!t) throw new Error(`no initializer ${name}`);
  return { dims: t.dims ?? [], dataType: t.data_type, bytes: t.raw_data };
}

const floatsOf = (b: Uint8Array) => new Float32Array(b.slice().buffer);
const int8sOf = (b: Uint8Array) => new Int8Array(b.slice().buffer);

/** OIHW → HWIO, back to the engine's layout. */
function oihwToHwio(data: Float32Array, [o, i, h, w]: number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let a = 0; a < o; a++) for (let b = 0; b < i; b++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[((y * w + x) * i + b) * o + a] = data[((a * i + b) * h + y) * w + x];
  return out;
}

/** ONNX Runtime's default optimisations ('all') are what users get; 'disabled' runs the graph as written. */
async function runOnnx(bytes: Uint8Array, pixels: Float32Array, shape: number[], level: 'all' | 'disabled' = 'all'): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: level });
  const out = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', pixels, shape) });
  await session.release();
  return out[ONNX_OUTPUT].data as Float32Array;
}

function argmaxAgreement(a: Float32Array, b: Float32Array, classes: number): number {
  let same = 0;
  const n = a.length / classes;
  for (let r = 0; r < n; r++) {
    let ia = 0;
    let ib = 0;
    for (let k = 1; k < classes; k++) {
      if (a[r * classes + k] > a[r * classes + ia]) ia = k;
      if (b[r * classes + k] > b[r * classes + ib]) ib = k;
    }
    if (ia === ib) same++;
  }
  return same / n;
}

function rowsOver(a: Float32Array, b: Float32Array, classes: number, tol: number): number {
  let rows = 0;
  for (let r = 0; r < a.length / classes; r++) {
    for (let k = 0; k < classes; k++) {
      if (Math.abs(a[r * classes + k] - b[r * classes + k]) > tol) {
        rows++;
        break;
      }
    }
  }
  return rows;
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

beforeAll(async () => {
  expect((await initBackend('cpu')).name).toBe('cpu');
  ort.env.wasm.numThreads = 1;
});

const gray = syntheticDataset({ height: 12, width: 12, channels: 1, classes: 4, train: 240, test: 120, seed: 2 });
const small = syntheticDataset({ height: 8, width: 8, channels: 1, classes: 4, train: 160, test: 120, seed: 3 });
const color = syntheticDataset({ height: 8, width: 8, channels: 3, classes: 4, train: 96, test: 60, seed: 4 });

interface Case {
  label: string;
  model: ModelName;
  ds: Dataset;
  quant: QuantConfig;
  method?: Method;
  steps: number;
  batchSize: number;
}

const CASES: Case[] = [
  { label: 'mlp W2A2, per-tensor', model: 'mlp', ds: gray, quant: { wbits: 2, abits: 2, firstLastBits: 8, perChannel: false }, steps: 20, batchSize: 16 },
  { label: 'mlp W4A4, per-channel, first/last 4', model: 'mlp', ds: gray, quant: { wbits: 4, abits: 4, firstLastBits: 4, perChannel: true }, steps: 20, batchSize: 16 },
  { label: 'cnn-tiny W2A2 + BatchNorm, per-channel', model: 'cnn-tiny', ds: small, quant: { wbits: 2, abits: 2, firstLastBits: 8, perChannel: true }, steps: 10, batchSize: 16 },
  { label: 'cnn-small W3A3 + BatchNorm, per-tensor (NHWC flatten)', model: 'cnn-small', ds: small, quant: { wbits: 3, abits: 3, firstLastBits: 8, perChannel: false }, steps: 3, batchSize: 4 },
  { label: 'resnet20 W4A4 + BatchNorm, per-tensor (residuals, strided shortcuts)', model: 'resnet20', ds: color, quant: { wbits: 4, abits: 4, firstLastBits: 8, perChannel: false }, steps: 3, batchSize: 4 },
  { label: 'cnn-tiny fp32 (no QDQ)', model: 'cnn-tiny', ds: small, method: 'fp32', quant: { wbits: 32, abits: 32, firstLastBits: 32, perChannel: false }, steps: 6, batchSize: 16 },
];

describe('ONNX export agrees with the engine', () => {
  const sessions: TrainingSession[] = [];
  afterAll(() => sessions.forEach((s) => s.dispose()));

  for (const c of CASES) {
    it(c.label, async () => {
      const s = new TrainingSession(c.ds, { model: c.model, method: c.method ?? 'lsq', quant: c.quant, steps: c.steps, labeled: 64, batchSize: c.batchSize, evalEvery: 0, lr: 0.05, seed: 1 });
      sessions.push(s);
      // Step by step: start() would also evaluate the test split, which the comparison below does anyway.
      for (let i = 0; i < c.steps; i++) await s.stepOnce();
      const text = await serializeModel(s.model, s.config, s.step, { dataset: c.ds.name, normalization: s.norm });
      const { bytes, normalization, layers } = modelFileToOnnx(text);
      expect(normalization.source).toBe('recorded in the model file');

      // Logits of the whole (tiny) test split: engine in eval mode vs ONNX Runtime on pixels in [0, 1].
      const { height: h, width: w, channels: ch, numClasses } = c.ds;
      const n = c.ds.test.count;
      const { x, y } = makeBatch(c.ds, c.ds.test, Int32Array.from({ length: n }, (_, i) => i), s.norm);
      const logits = tf.tidy(() => s.model.forward(x, EVAL_CTX));
      const engine = (await logits.data()) as Float32Array;
      tf.dispose([x, y, logits]);
      const pixels = Float32Array.from(c.ds.test.images, (p) => p / 255);
      expect(engine.every(Number.isFinite)).toBe(true);
      // ONNX Runtime's defaults ('all', what users run): every logit within 1e-3.
      const onnx = await runOnnx(bytes, pixels, [n, h, w, ch]);
      expect(onnx.length).toBe(engine.length);
      expect(maxAbsDiff(engine, onnx)).toBeLessThan(1e-3);
      expect(argmaxAgreement(engine, onnx, numClasses)).toBeGreaterThanOrEqual(0.999);
      // The graph as written ('disabled': float MatMul/Conv, summed in another order than TF.js): a pre-activation
      // within float rounding (~1e-6) of a rounding boundary can land one step over, which moves that image's
      // logits by step × weight. Such images must stay rare, and predictions the same.
      const plain = await runOnnx(bytes, pixels, [n, h, w, ch], 'disabled');
      expect(rowsOver(engine, plain, numClasses, 1e-3) / n, 'images off by > 1e-3').toBeLessThanOrEqual(0.02);
      expect(argmaxAgreement(engine, plain, numClasses)).toBeGreaterThanOrEqual(0.999);

      // The graph: opset, Q/DQ exactly where the engine quantizes, per-axis DQ for per-channel steps.
      const d = decode(bytes);
      expect(d.opset_import[0].version).toBe(13);
      const ops = d.graph.node.map((nd) => nd.op_type);
      const count = (op: string) => ops.filter((o) => o === op).length;
      const steps = s.model.params.filter((p) => p.kind === 'step');
      const actSteps = steps.filter((p) => !p.quant!.signed);
      const weightSteps = steps.filter((p) => p.quant!.signed);
      expect(count('QuantizeLinear')).toBe(actSteps.length);
      expect(count('DequantizeLinear')).toBe(actSteps.length + weightSteps.length);
      expect(layers.filter((l) => l.wbits !== null)).toHaveLength(weightSteps.length);
      if (c.method === 'fp32') {
        expect(steps).toHaveLength(0);
        expect(d.graph.initializer.filter((t) => t.data_type !== 1 && t.data_type !== 7)).toEqual([]);
      } else {
        expect(weightSteps.length).toBeGreaterThan(0);
        expect(actSteps.length).toBeGreaterThan(0);
      }
      // Clip before QuantizeLinear exactly for activations below 8 bits, to Qp·s.
      for (const a of actSteps) {
        const name = a.name.replace(/\.step$/, '');
        const step = ((await a.variable.data()) as Float32Array)[0];
        const qp = 2 ** a.quant!.bits - 1;
        const clip = d.graph.node.find((nd) => nd.op_type === 'Clip' && nd.output[0] === `${name}/Clip`);
        if (a.quant!.bits < 8) expect(floatsOf(initializer(d, clip!.input[2]).bytes)[0]).toBe(Math.fround(qp * step));
        else expect(clip).toBeUndefined();
      }
      for (const nd of d.graph.node.filter((k) => k.op_type === 'DequantizeLinear' && k.input[0].endsWith('/w.codes'))) {
        expect(nd.attribute?.some((a) => a.name === 'axis') ?? false).toBe(c.quant.perChannel);
      }

      // Every int8 initializer decodes, bit for bit after scaling, to the engine's round(clip(w/s, −Qn, Qp))·s.
      for (const st of weightSteps) {
        const layer = st.name.replace(/\/w\.step$/, '');
        const wParam = s.model.params.find((p) => p.name === `${layer}/w`)!;
        const bits = st.quant!.bits;
        const ref = tf.tidy(() => lsqFakeQuant(wParam.variable, st.variable, { bits, signed: true }));
        const expected = (await ref.data()) as Float32Array;
        ref.dispose();
        const codesT = initializer(d, `${layer}/w.codes`);
        const scaleT = initializer(d, `${layer}/w.step`);
        expect(codesT.dataType, layer).toBe(3); // INT8
        const codes = int8sOf(codesT.bytes);
        const scale = floatsOf(scaleT.bytes);
        expect(scale.length).toBe(c.quant.perChannel ? wParam.variable.shape[wParam.variable.shape.length - 1] : 1);
        expect(Array.from(scale)).toEqual(Array.from((await st.variable.data()) as Float32Array));
        const [qn, qp] = [2 ** (bits - 1), 2 ** (bits - 1) - 1];
        expect(codes.every((q) => q >= -qn && q <= qp), layer).toBe(true);
        expect(new Set(codes).size, `${layer} uses more than one level`).toBeGreaterThan(1);
        const conv = codesT.dims.length === 4;
        const axis = conv ? 0 : 1;
        const perAxis = codesT.dims[axis];
        const inner = codesT.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
        const deq = Float32Array.from(codes, (q, i) => q * scale[scale.length === 1 ? 0 : Math.floor(i / inner) % perAxis]);
        const decoded = conv ? oihwToHwio(deq, codesT.dims) : deq;
        const mismatch = Array.from(decoded).findIndex((v, i) => v !== expected[i]);
        expect(mismatch, `${layer}: first mismatch at ${mismatch}`).toBe(-1);
      }
    });
  }
});

describe('the activation quantizer encoding (Clip → QuantizeLinear → DequantizeLinear)', () => {
  it('is exact against lsqFakeQuant at the range edge and at rounding ties, for 2, 4 and 8 bits', async () => {
    for (const bits of [2, 4, 8]) {
      const step = Math.fround(0.0731);
      const qp = 2 ** bits - 1;
      const c = Math.fround(qp * step);
      const xs: number[] = [c, -0.3, 0, 1e-9, step / 2, c * 1.5, 10 * c];
      for (const v of [c]) {
        const next = new Float32Array([v]);
        const u = new Uint32Array(next.buffer);
        for (const d of [-2, -1, 1, 2]) {
          u[0] = new Uint32Array(Float32Array.of(v).buffer)[0] + d;
          xs.push(next[0]);
        }
      }
      for (let k = 0; k <= qp + 1; k++) xs.push(Math.fround((k + 0.5) * step), Math.fround(k * step));
      for (let i = 0; i < 400; i++) xs.push(Math.fround(((i * 7919) % 1000) / 1000 * (qp + 2) * step - step));
      const x = Float32Array.from(xs);
      const ref = tf.tidy(() => lsqFakeQuant(tf.tensor1d(x), tf.scalar(step), { bits, signed: false }));
      const expected = (await ref.data()) as Float32Array;
      ref.dispose();
      const session = await ort.InferenceSession.create(activationQuantizerOnnx(step, bits));
      const out = (await session.run({ x: new ort.Tensor('float32', x, [x.length]) })).y.data as Float32Array;
      const bad = Array.from(out).findIndex((v, i) => v !== expected[i]);
      expect(bad, `bits ${bits}: x = ${x[bad]} gives ${out[bad]}, the engine ${expected[bad]}`).toBe(-1);
    }
  });

  it('rounds half to even like TF.js', async () => {
    const ties = [-3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 2.4999998, 126.5, 127.5];
    const t = tf.round(tf.tensor1d(ties));
    expect(ties.map(roundHalfEven)).toEqual(Array.from(await t.data()));
    t.dispose();
  });
});

describe('input normalisation', () => {
  it("the Fashion-MNIST constants are channelStats of the shipped training split, bit for bit", async () => {
    const stats = channelStats(await loadFashionMnistNode());
    expect(Array.from(stats.mean)).toEqual(FASHION_MNIST_NORMALIZATION.mean);
    expect(Array.from(stats.std)).toEqual(FASHION_MNIST_NORMALIZATION.std);
  });

  it('a file that does not record it: Fashion-MNIST for 28×28×1 (older files), else a clear refusal', () => {
    const file = (inputShape: [number, number, number], dataset?: string) => ({ spec: { inputShape }, dataset }) as unknown as ModelFile;
    expect(resolveNormalization(file([28, 28, 1])).source).toMatch(/Fashion-MNIST training split, assumed from the 28×28×1 input/);
    expect(Array.from(resolveNormalization(file([28, 28, 1], 'fashion-mnist')).mean)).toEqual(FASHION_MNIST_NORMALIZATION.mean);
    expect(() => resolveNormalization(file([28, 28, 1], 'idx:/data/mnist'))).toThrow(/does not record how its 28×28×1 inputs were normalised \(dataset "idx:\/data\/mnist"\)/);
    expect(() => resolveNormalization(file([32, 32, 3], 'cifar10'))).toThrow(/does not record how its 32×32×3 inputs were normalised/);
    expect(resolveNormalization(file([32, 32, 3]), { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }).source).toBe('given');
  });
});

describe('the converter is TF.js-free (the page converts on its main thread)', () => {
  it('reaches no @tensorflow module from src/engine/export/onnx', () => {
    const seen = new Set<string>();
    const packages: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      src.forEachChild((node) => {
        if ((ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly) || (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier)) {
          const spec = (node.moduleSpecifier as ts.StringLiteral).text;
          if (!spec.startsWith('.')) return void packages.push(spec);
          const base = resolve(dirname(file), spec);
          const found = [`${base}.ts`, `${base}/index.ts`].find((p) => existsSync(p));
          if (found) visit(found);
        }
      });
    };
    visit(resolve('src/engine/export/onnx/index.ts'));
    expect(seen.size).toBeGreaterThan(5);
    expect(packages.filter((p) => p.startsWith('@tensorflow/'))).toEqual([]);
  });
});

describe('npm run export-onnx', () => {
  let dir: string;
  let good: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'export-onnx-'));
    const s = new TrainingSession(gray, { model: 'mlp-narrow', steps: 2, labeled: 32, batchSize: 8, evalEvery: 0, quant: { wbits: 2, abits: 2 } });
    await s.start();
    good = await serializeModel(s.model, s.config, s.step, { dataset: gray.name, normalization: s.norm });
    s.dispose();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runExportOnnx(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  }

  /** Writes `text` as a model file, runs the command on it, and checks that it failed cleanly and wrote nothing. */
  async function fails(text: string | null, args: (file: string, out: string) => string[], code: number, message: RegExp): Promise<void> {
    const file = join(dir, 'in.json');
    if (text !== null) writeFileSync(file, text);
    else rmSync(file, { force: true });
    const target = join(dir, 'model.onnx');
    const before = readdirSync(dir).sort();
    const r = await run(args(file, target));
    expect(r.code, r.err.join('\n')).toBe(code);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(message);
    expect(r.out).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(before);
  }

  it('writes the ONNX file and prints its size and the model file size', async () => {
    const file = join(dir, 'good.json');
    writeFileSync(file, good);
    const target = join(dir, 'good.onnx');
    const r = await run([file, '--out', target]);
    expect(r.code, r.err.join('\n')).toBe(0);
    const size = readFileSync(target).length;
    expect(r.out[0]).toContain(`wrote ${target}: ${(size / 1024).toFixed(1)} KiB ONNX`);
    expect(r.out[1]).toContain(`model file ${file}: ${(good.length / 1024).toFixed(1)} KiB`);
    expect(r.out[2]).toMatch(/input normalisation: recorded in the model file/);
    // The file is a model ONNX Runtime loads.
    const session = await ort.InferenceSession.create(readFileSync(target));
    expect(session.inputNames).toEqual([ONNX_INPUT]);
    rmSync(target);
    rmSync(file);
  });

  it('--mean/--std override the recorded normalisation', async () => {
    const file = join(dir, 'good.json');
    writeFileSync(file, good);
    const r = await run([file, '--out', join(dir, 'n.onnx'), '--mean', '0.5', '--std', '0.25']);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.out[2]).toMatch(/given: mean 0\.500000, std 0\.250000/);
    rmSync(join(dir, 'n.onnx'));
    rmSync(file);
  });

  it('--dataset takes the normalisation from that dataset, as a training session does', async () => {
    const file = join(dir, 'good.json');
    writeFileSync(file, good);
    const r = await run([file, '--out', join(dir, 'd.onnx'), '--dataset', 'fashion-mnist']);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.out[2]).toMatch(/the training split of --dataset fashion-mnist: mean 0\.286041, std 0\.353024/);
    rmSync(join(dir, 'd.onnx'));
    rmSync(file);
  });

  it('usage errors: one line, exit 2, nothing written', async () => {
    await fails(good, (f) => [f], 2, /--out F\.onnx is required/);
    await fails(good, (_f, o) => ['--out', o], 2, /no model file given/);
    await fails(good, (f, o) => [f, f, '--out', o], 2, /one model file at a time/);
    await fails(good, (f, o) => [f, '--out', o, '--bits', '4'], 2, /unknown flag --bits/);
    await fails(good, (f) => [f, '--out'], 2, /--out needs a value/);
    await fails(good, (f, o) => [f, '--out', o, '--mean', '0.5'], 2, /--mean and --std go together/);
    await fails(good, (f, o) => [f, '--out', o, '--mean', 'a', '--std', '1'], 2, /--mean: expected comma-separated numbers/);
    await fails(good, (f, o) => [f, '--out', o, '--mean', '0.5', '--std', '1', '--dataset', 'fashion-mnist'], 2, /--mean\/--std or --dataset, not both/);
  });

  it('bad input files: one line, exit 1, nothing written', async () => {
    const file = parseModelFile(good);
    const edit = (change: (f: typeof file) => void) => {
      const copy = structuredClone(file);
      change(copy);
      return JSON.stringify(copy);
    };
    await fails(null, (f, o) => [f, '--out', o], 1, /cannot read .*in\.json \(ENOENT\)/);
    await fails('\x89PNG\r\n\x1a\n', (f, o) => [f, '--out', o], 1, /not a model file: it is not JSON/);
    await fails(JSON.stringify({ format: 'other', runs: [] }), (f, o) => [f, '--out', o], 1, /not a qat-playground-model file \(version 1\)/);
    await fails(good.slice(0, Math.floor(good.length / 2)), (f, o) => [f, '--out', o], 1, /not a model file: it is not JSON/);
    await fails(edit((f) => (f.spec.name = 'vgg16' as ModelName)), (f, o) => [f, '--out', o], 1, /unknown model "vgg16": this project knows mlp, mlp-narrow/);
    await fails(edit((f) => (f.tensors.find((t) => t.name === 'fc2/w')!.data = '!!!')), (f, o) => [f, '--out', o], 1, /"fc2\/w" is damaged: its data is not base64/);
    await fails(edit((f) => (f.tensors = f.tensors.filter((t) => t.name !== 'fc2/w'))), (f, o) => [f, '--out', o], 1, /the model file has no tensor "fc2\/w"/);
    await fails(edit((f) => (f.tensors.find((t) => t.name === 'fc3/b')!.data = Buffer.from(new Float32Array(2).buffer).toString('base64'))), (f, o) => [f, '--out', o], 1, /"fc3\/b" holds 2 values, the model needs 4/);
    await fails(edit((f) => (f.tensors.find((t) => t.name === 'fc2/in.step')!.data = Buffer.from(new Float32Array([-1]).buffer).toString('base64'))), (f, o) => [f, '--out', o], 1, /"fc2\/in\.step" holds a step size that is not positive/);
    await fails(edit((f) => (f.spec.name = 'mlp')), (f, o) => [f, '--out', o], 1, /"fc1\/w" has shape \[144,64\], the model needs \[144,256\]/);
    await fails(edit((f) => (f.spec.quant.wbits = 4)), (f, o) => [f, '--out', o], 1, /"fc2\/w\.step" is a 2-bit signed step; the spec asks for 4-bit signed/);
    await fails(edit((f) => delete (f as { normalization?: unknown }).normalization), (f, o) => [f, '--out', o], 1, /does not record how its 12×12×1 inputs were normalised/);
    await fails(edit((f) => (f.normalization = { mean: [0.1, 0.2], std: [1, 1] })), (f, o) => [f, '--out', o], 1, /has 2 means and 2 standard deviations; the model's images have 1 channel/);
    await fails(good, (f) => [f, '--out', join(dir, 'no-such-dir', 'm.onnx')], 1, /cannot write .*m\.onnx \(ENOENT\)/);
    await fails(good, (f, o) => [f, '--out', o, '--dataset', 'idx:/no/such/dir'], 1, /cannot read/);
  });

  it('runs as an npm script: a usage error exits 2 with one line', async () => {
    const r = await promisify(execFile)('npm', ['run', '-s', 'export-onnx', '--', 'missing.json']).catch((e: { code: number; stderr: string }) => e);
    expect((r as { code: number }).code).toBe(2);
    expect((r as { stderr: string }).stderr.trim()).toBe('export-onnx: --out F.onnx is required (see --help)');
  });
});
