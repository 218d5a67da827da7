/**
 * Model file → ONNX (QDQ), without TF.js: runs in Node, in a Worker and on the page's main thread.
 *
 * The graph repeats the engine's eval-mode forward pass (src/engine/models/*, nn/*, quant/*):
 *   pixels  float32 [N, H, W, C] in [0, 1]
 *   input   Mul(1/std) then Sub(mean/std), per channel: the dataset's normalisation
 *   dense   [Clip] → QuantizeLinear → DequantizeLinear on the input (where the layer quantizes it),
 *           DequantizeLinear(int8 codes) for the weight, MatMul, Sub(−bias) (the bias, see below)
 *   conv    the same around Conv (NCHW, OIHW weights, TF 'same' padding as explicit pads), then the BatchNorm that
 *           follows it as one per-channel Mul and Add
 *   ReLU → Relu, 2×2 max pool → MaxPool, global average pool → GlobalAveragePool + Flatten, residual → Add
 *   logits  float32 [N, classes]
 * A full-precision (fp32) run has no Q/DQ at all: float32 weights straight into MatMul/Conv.
 *
 * Encoding choices, each made so the ONNX model computes what the engine computes:
 * - Weights are stored as their integer codes q = round(clip(w/s, −Qn, Qp)) (computed here in float32, as the
 *   engine does) in int8 initializers, with DequantizeLinear(q, s, 0) giving q·s: bit for bit the engine's quantized
 *   weight. Per-channel steps dequantize per axis (the output channel: axis 1 of a [in, out] dense weight, axis 0 of
 *   an OIHW conv weight). The codes already lie in the b-bit range, so no clipping is needed for weights.
 * - Activations: the engine computes round(clip(x/s, 0, Qp))·s with Qp = 2^b − 1. QuantizeLinear (uint8, zero
 *   point 0) computes saturate(round(x/s)) onto [0, 255], which is the engine's clip only for b = 8. For b < 8 a
 *   Clip(x, 0, Qp·s) goes before QuantizeLinear. This is exact: for x ≤ c = fl(Qp·s), fl(x/s) ≤ fl(c/s) ≤ Qp·(1 + 2⁻²³),
 *   which rounds to at most Qp; for x > c, Clip gives c and fl(c/s) rounds to Qp, as clip-then-round does. Because
 *   the clip bounds are integers, round(clip(v)) = clip(round(v)) as well, so clipping before or after rounding
 *   agree. The float Clip keeps the standard Q→DQ pairs intact (tools that fuse QDQ into integer kernels look for a
 *   DequantizeLinear right after each QuantizeLinear; a Clip on the integer side would break that pattern).
 *   Both sides round half to even (TF.js Round, ONNX QuantizeLinear).
 * - BatchNorm is not folded into the conv weights: the engine quantizes the latent weights before BN, so scaling the
 *   weights by γ/σ would move them off the learned integer grid (or off the stored codes' exact q·s values).
 *   Instead BN's four tensors become one per-channel scale γ/sqrt(var + ε) (the engine's float32 value) and one bias
 *   β − mean·scale, applied as Mul and Add after the conv: the usual inference folding of BN, applied to the conv's
 *   output. (Against the engine's (x − mean)·scale + β this differs only by float32 rounding.)
 * - The dense bias: the engine adds a float32 bias. Written as MatMul → Add(b), ONNX Runtime (seen in 1.30, from its
 *   'basic' optimization level up) fuses the pair into Gemm and then, because Gemm's inputs come from DequantizeLinear,
 *   rounds the float bias onto the int32 grid of activation step × weight step (its WeightBiasQuantization pass): up to
 *   half that product per output (measured on a W2A2 MLP: 0.04 on a hidden pre-activation, 0.17 on a logit). The graph
 *   therefore adds the bias as Sub(MatMul, −b), the same sum exactly (x − (−b) = x + b in IEEE arithmetic), which
 *   ONNX Runtime leaves alone.
 */
import type { ModelSpec } from '../../models/types';
import { checkModelSpec, parseModelFile, type ModelFile } from '../model-file-format';
import { FileTensors, type Bits } from './file-tensors';
import { GraphBuilder } from './graph-builder';
import { resolveNormalization, type PixelNormalization, type ResolvedNormalization } from './normalization';
import { DataType, encodeModel } from './proto';
import { quantRange, weightCodes } from './quant-codes';

/** ONNX opset (per-axis QuantizeLinear/DequantizeLinear need 13) and the IR version that goes with it. */
export const ONNX_OPSET = 13;
export const ONNX_IR_VERSION = 7;
export const ONNX_INPUT = 'pixels';
export const ONNX_OUTPUT = 'logits';

/** BatchNorm's ε (src/engine/nn/batch-norm.ts). */
const BN_EPSILON = 1e-5;
const FULL_PRECISION = 32;

export interface OnnxExportOptions {
  /** Overrides the normalisation the file records (or lacks). */
  normalization?: PixelNormalization;
}

export interface OnnxLayerSummary {
  name: string;
  op: 'dense' | 'conv';
  /** Bits of the weights and of the layer's input, null where not quantized. */
  wbits: Bits;
  abits: Bits;
}

export interface OnnxExport {
  bytes: Uint8Array;
  normalization: ResolvedNormalization;
  layers: OnnxLayerSummary[];
}

interface Ctx {
  g: GraphBuilder;
  t: FileTensors;
  perChannel: boolean;
  layers: OnnxLayerSummary[];
}

/** A value of the graph: its name and per-sample shape ([C, H, W] in NCHW, [F] for features). */
interface Value {
  name: string;
  shape: number[];
}

const bitsOf = (b: number): Bits => (b < FULL_PRECISION ? b : null);

/** Permutes a row-major tensor's axes: out axis i is input axis perm[i]. */
function permute<T extends Float32Array | Int8Array>(data: T, shape: number[], perm: number[]): T {
  const outShape = perm.map((a) => shape[a]);
  const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new (data.constructor as new (n: number) => T)(data.length);
  const idx = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let i = 0; i < perm.length; i++) src += idx[i] * inStrides[perm[i]];
    out[o] = data[src];
    for (let i = perm.length - 1; i >= 0; i--) {
      if (++idx[i] < outShape[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}

/** LSQ activation quantizer (unsigned): [Clip →] QuantizeLinear → DequantizeLinear, or nothing when not quantized. */
function quantizeActivation(ctx: Ctx, x: string, name: string, bits: Bits): string {
  const step = ctx.t.step(`${name}.step`, bits, false, null);
  return step && bits !== null ? activationQdq(ctx.g, x, name, step[0], bits) : x;
}

/** The nodes of one activation quantizer with step `step` (see the encoding notes at the top). */
function activationQdq(g: GraphBuilder, x: string, name: string, step: number, bits: number): string {
  const { qp } = quantRange(bits, false);
  const scale = g.float(`${name}.step`, [step], []);
  const zero = g.uint8(`${name}.zero_point`, new Uint8Array(1), []);
  let v = x;
  if (qp < 255) {
    const lo = g.float(`${name}.clip_min`, [0], []);
    const hi = g.float(`${name}.clip_max`, [Math.fround(qp * step)], []);
    v = g.op('Clip', [x, lo, hi], `${name}/Clip`, undefined, `clip to the ${bits}-bit range [0, ${qp}]·step before QuantizeLinear (uint8 alone saturates at 255)`);
  }
  const q = g.op('QuantizeLinear', [v, scale, zero], `${name}/QuantizeLinear`);
  return g.op('DequantizeLinear', [q, scale, zero], `${name}/DequantizeLinear`);
}

/** A graph of one activation quantizer, x float32 [n] → y: for checking the encoding against lsqFakeQuant. */
export function activationQuantizerOnnx(step: number, bits: number): Uint8Array {
  const g = new GraphBuilder();
  g.op('Identity', [activationQdq(g, 'x', 'act', Math.fround(step), bits)], 'y');
  return encodeModel({
    irVersion: ONNX_IR_VERSION,
    opsetImports: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'qat-playground',
    producerVersion: '0.1.0',
    graph: {
      name: 'activation-quantizer',
      nodes: g.nodes,
      initializers: g.initializers,
      inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: ['n'] }],
      outputs: [{ name: 'y', elemType: DataType.FLOAT, shape: ['n'] }],
    },
  });
}

/**
 * A layer's weight (engine layout, output channels last) as ONNX needs it (axes permuted by `perm`): int8 codes and
 * DequantizeLinear where quantized, else float32.
 */
function weight(ctx: Ctx, layer: string, shape: number[], bits: Bits, perm: number[], channelAxis: number): string {
  const { g } = ctx;
  const w = ctx.t.get(`${layer}/w`, shape);
  const channels = shape[shape.length - 1];
  const dims = perm.map((a) => shape[a]);
  const step = ctx.t.step(`${layer}/w.step`, bits, true, ctx.perChannel ? channels : null);
  if (!step || bits === null) return g.float(`${layer}/w`, permute(w, shape, perm), dims);
  const codes = g.int8(`${layer}/w.codes`, permute(weightCodes(w, step, bits), shape, perm), dims);
  const scaleDims = ctx.perChannel ? [channels] : [];
  const scale = g.float(`${layer}/w.step`, step, scaleDims);
  const zero = g.int8(`${layer}/w.zero_point`, new Int8Array(step.length), scaleDims);
  return g.op('DequantizeLinear', [codes, scale, zero], `${layer}/w`, ctx.perChannel ? { axis: channelAxis } : undefined, `${bits}-bit signed weight codes × learned step`);
}

function dense(ctx: Ctx, x: Value, layer: string, units: number, wbits: Bits, abits: Bits): Value {
  const inputs = x.shape[0];
  const xin = quantizeActivation(ctx, x.name, `${layer}/in`, abits);
  const w = weight(ctx, layer, [inputs, units], wbits, [0, 1], 1);
  const bias = ctx.t.get(`${layer}/b`, [units]);
  const mm = ctx.g.op('MatMul', [xin, w], `${layer}/MatMul`);
  ctx.layers.push({ name: layer, op: 'dense', wbits, abits });
  // x − (−b) is x + b exactly in IEEE arithmetic; see "the dense bias" at the top for why not Add.
  const negated = ctx.g.float(`${layer}/b_negated`, Float32Array.from(bias, (v) => -v), [units]);
  const y = ctx.g.op('Sub', [mm, negated], `${layer}/bias`, undefined, 'adds the float32 bias b as x − (−b), so ONNX Runtime keeps it in float32 instead of rounding it onto an int32 grid');
  return { name: y, shape: [units] };
}

/** TF's 'same' padding: output ceil(n/stride), the odd pixel of padding at the end. */
function samePads(size: number, k: number, stride: number): [number, number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + k - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2), out];
}

function conv(ctx: Ctx, x: Value, layer: string, outC: number, k: number, stride: number, wbits: Bits, abits: Bits): Value {
  const [inC, h, w] = x.shape;
  const xin = quantizeActivation(ctx, x.name, `${layer}/in`, abits);
  // Engine HWIO [k, k, in, out] → ONNX OIHW [out, in, k, k].
  const wt = weight(ctx, layer, [k, k, inC, outC], wbits, [3, 2, 0, 1], 0);
  const [top, bottom, oh] = samePads(h, k, stride);
  const [left, right, ow] = samePads(w, k, stride);
  const y = ctx.g.op('Conv', [xin, wt], `${layer}/Conv`, {
    kernel_shape: [k, k],
    strides: [stride, stride],
    pads: [top, left, bottom, right],
    dilations: [1, 1],
    group: 1,
  });
  ctx.layers.push({ name: layer, op: 'conv', wbits, abits });
  return { name: y, shape: [outC, oh, ow] };
}

/** Eval-mode BatchNorm as one per-channel scale and bias (NCHW). */
function batchNorm(ctx: Ctx, x: Value, name: string): Value {
  const c = x.shape[0];
  const gamma = ctx.t.get(`${name}/gamma`, [c]);
  const beta = ctx.t.get(`${name}/beta`, [c]);
  const mean = ctx.t.get(`${name}/mean`, [c]);
  const variance = ctx.t.get(`${name}/var`, [c]);
  const scale = new Float32Array(c);
  const bias = new Float32Array(c);
  const eps = Math.fround(BN_EPSILON);
  for (let i = 0; i < c; i++) {
    // The engine's float32 steps: rsqrt(var + ε)·γ.
    scale[i] = Math.fround(1 / Math.sqrt(Math.fround(variance[i] + eps))) * gamma[i];
    bias[i] = beta[i] - mean[i] * scale[i];
  }
  if (!scale.every((v) => Number.isFinite(v)) || !bias.every((v) => Number.isFinite(v))) throw new Error(`"${name}" gives a BatchNorm scale that is not finite`);
  const s = ctx.g.float(`${name}/scale`, scale, [c, 1, 1]);
  const b = ctx.g.float(`${name}/bias`, bias, [c, 1, 1]);
  const y = ctx.g.op('Mul', [x.name, s], `${name}/Mul`, undefined, 'BatchNorm (running statistics) folded to γ/sqrt(var + ε)');
  return { name: ctx.g.op('Add', [y, b], `${name}/Add`, undefined, 'BatchNorm folded bias β − mean·γ/sqrt(var + ε)'), shape: x.shape };
}

function relu(ctx: Ctx, x: Value, name: string): Value {
  return { name: ctx.g.op('Relu', [x.name], name), shape: x.shape };
}

function maxPool2(ctx: Ctx, x: Value, name: string): Value {
  const [c, h, w] = x.shape;
  const y = ctx.g.op('MaxPool', [x.name], name, { kernel_shape: [2, 2], strides: [2, 2] });
  return { name: y, shape: [c, Math.floor(h / 2), Math.floor(w / 2)] };
}

function globalAveragePool(ctx: Ctx, x: Value, name: string): Value {
  const pooled = ctx.g.op('GlobalAveragePool', [x.name], `${name}/GlobalAveragePool`);
  return { name: ctx.g.op('Flatten', [pooled], `${name}/Flatten`, { axis: 1 }), shape: [x.shape[0]] };
}

/** [N, C, H, W] → [N, H·W·C] in the engine's NHWC order (its dense weights expect that order). */
function flattenNhwc(ctx: Ctx, x: Value, name: string): Value {
  const t = ctx.g.op('Transpose', [x.name], `${name}/Transpose`, { perm: [0, 2, 3, 1] });
  const shape = ctx.g.int64(`${name}/shape`, [0, -1], [2]);
  return { name: ctx.g.op('Reshape', [t, shape], `${name}/Reshape`), shape: [x.shape.reduce((a, b) => a * b, 1)] };
}

function toNchw(ctx: Ctx, x: string, shape: number[]): Value {
  const [h, w, c] = shape;
  return { name: ctx.g.op('Transpose', [x], 'to_nchw', { perm: [0, 3, 1, 2] }), shape: [c, h, w] };
}

function mlp(ctx: Ctx, spec: ModelSpec, x: string, hidden: number[]): string {
  const [h, w, c] = spec.inputShape;
  const q = spec.quant;
  const shape = ctx.g.int64('flatten/shape', [0, -1], [2]);
  let v: Value = { name: ctx.g.op('Reshape', [x, shape], 'flatten/Reshape'), shape: [h * w * c] };
  const widths = [...hidden, spec.numClasses];
  const last = widths.length - 1;
  widths.forEach((units, i) => {
    const wbits = bitsOf(i === 0 || i === last ? q.firstLastBits : q.wbits);
    const abits = i === 0 ? null : bitsOf(i === last ? q.firstLastBits : q.abits);
    v = dense(ctx, v, `fc${i + 1}`, units, wbits, abits);
    if (i < last) v = relu(ctx, v, `fc${i + 1}/Relu`);
  });
  return v.name;
}

/** cnn-tiny and cnn-small: convBnStack (src/engine/models/conv-stack.ts), pooling, a dense head. */
function convNet(ctx: Ctx, spec: ModelSpec, x: string, widths: number[], poolAfter: (i: number) => boolean, head: 'gap' | 'flatten'): string {
  const q = spec.quant;
  let v = toNchw(ctx, x, spec.inputShape);
  widths.forEach((outC, i) => {
    const first = i === 0;
    v = conv(ctx, v, `conv${i + 1}`, outC, 3, 1, bitsOf(first ? q.firstLastBits : q.wbits), first ? null : bitsOf(q.abits));
    v = relu(ctx, batchNorm(ctx, v, `bn${i + 1}`), `bn${i + 1}/Relu`);
    if (poolAfter(i)) v = maxPool2(ctx, v, `pool${i + 1}`);
  });
  v = head === 'gap' ? globalAveragePool(ctx, v, 'gap') : flattenNhwc(ctx, v, 'flatten');
  return dense(ctx, v, 'fc', spec.numClasses, bitsOf(q.firstLastBits), bitsOf(q.firstLastBits)).name;
}

/** src/engine/models/resnet20.ts: stem, 3 stages × 3 basic blocks, global average pool, dense head. */
function resnet20(ctx: Ctx, spec: ModelSpec, x: string): string {
  const q = spec.quant;
  const wb = bitsOf(q.wbits);
  const ab = bitsOf(q.abits);
  let v = toNchw(ctx, x, spec.inputShape);
  v = relu(ctx, batchNorm(ctx, conv(ctx, v, 'stem', 16, 3, 1, bitsOf(q.firstLastBits), null), 'stem_bn'), 'stem_bn/Relu');
  [16, 32, 64].forEach((outC, stage) => {
    for (let b = 0; b < 3; b++) {
      const name = `s${stage + 1}b${b + 1}`;
      const stride = stage > 0 && b === 0 ? 2 : 1;
      const inC = v.shape[0];
      // The block's input is quantized once and feeds both paths; the identity path keeps full precision.
      const xq: Value = { name: quantizeActivation(ctx, v.name, `${name}/in`, ab), shape: v.shape };
      let h = relu(ctx, batchNorm(ctx, conv(ctx, xq, `${name}/conv1`, outC, 3, stride, wb, null), `${name}/bn1`), `${name}/bn1/Relu`);
      h = batchNorm(ctx, conv(ctx, h, `${name}/conv2`, outC, 3, 1, wb, ab), `${name}/bn2`);
      const skip = stride !== 1 || inC !== outC ? batchNorm(ctx, conv(ctx, xq, `${name}/down`, outC, 1, stride, wb, null), `${name}/down_bn`) : v;
      v = relu(ctx, { name: ctx.g.op('Add', [h.name, skip.name], `${name}/Add`), shape: h.shape }, `${name}/Relu`);
    }
  });
  v = globalAveragePool(ctx, v, 'gap');
  return dense(ctx, v, 'fc', spec.numClasses, bitsOf(q.firstLastBits), bitsOf(q.firstLastBits)).name;
}

function bitsLabel(spec: ModelSpec): string {
  const q = spec.quant;
  const b = (v: number) => (v < FULL_PRECISION ? String(v) : 'FP');
  if ([q.wbits, q.abits, q.firstLastBits].every((v) => v >= FULL_PRECISION)) return 'fp32';
  return `W${b(q.wbits)}A${b(q.abits)}, first/last ${b(q.firstLastBits)}, ${q.perChannel ? 'per-channel' : 'per-tensor'} weight steps`;
}

/** Converts a model file (parsed, or its text) to ONNX ModelProto bytes. Throws with a one-line reason. */
export function modelFileToOnnx(input: ModelFile | string, opts: OnnxExportOptions = {}): OnnxExport {
  const file = typeof input === 'string' ? parseModelFile(input) : input;
  const spec = checkModelSpec(file);
  const normalization = resolveNormalization(file, opts.normalization);
  const g = new GraphBuilder();
  const ctx: Ctx = { g, t: new FileTensors(file), perChannel: spec.quant.perChannel, layers: [] };
  const [h, w, c] = spec.inputShape;

  // Normalisation: x·(1/std) − mean/std per channel, the engine's (pixel·255)·(1/(255·std)) − mean/std from float pixels.
  const mul = Float32Array.from(normalization.std, (s) => 1 / s);
  const shift = Float32Array.from(normalization.mean, (m, i) => m / normalization.std[i]);
  const scaled = g.op('Mul', [ONNX_INPUT, g.float('normalize/scale', mul, [c])], 'normalize/Mul', undefined, '1/std per channel');
  const x = g.op('Sub', [scaled, g.float('normalize/shift', shift, [c])], 'normalize/Sub', undefined, 'mean/std per channel');

  let logits: string;
  switch (spec.name) {
    case 'mlp':
      logits = mlp(ctx, spec, x, [256, 256]);
      break;
    case 'mlp-narrow':
      logits = mlp(ctx, spec, x, [64, 64]);
      break;
    case 'cnn-tiny':
      logits = convNet(ctx, spec, x, [16, 32, 64], (i) => i < 2, 'gap');
      break;
    case 'cnn-small':
      logits = convNet(ctx, spec, x, [32, 64, 64], (i) => i > 0, 'flatten');
      break;
    case 'resnet20':
      logits = resnet20(ctx, spec, x);
      break;
  }
  const extra = ctx.t.unread();
  if (extra.length > 0) throw new Error(`the model file holds tensors a ${spec.name} does not have (${extra.slice(0, 3).join(', ')}${extra.length > 3 ? ', …' : ''})`);
  // The last node's output is the graph's output.
  g.op('Identity', [logits], ONNX_OUTPUT);

  const doc =
    `${spec.name} (${bitsLabel(spec)}) trained ${file.steps} steps with ${file.config?.method ?? 'an unknown method'} in QAT Playground. ` +
    `Input: float32 NHWC pixels in [0, 1], normalised inside the graph (${normalization.source}). Output: logits.`;
  const bytes = encodeModel({
    irVersion: ONNX_IR_VERSION,
    opsetImports: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'qat-playground',
    producerVersion: '0.1.0',
    docString: doc,
    graph: {
      name: spec.name,
      nodes: g.nodes,
      initializers: g.initializers,
      inputs: [{ name: ONNX_INPUT, elemType: DataType.FLOAT, shape: ['N', h, w, c], docString: 'float32 NHWC pixels in [0, 1]' }],
      outputs: [{ name: ONNX_OUTPUT, elemType: DataType.FLOAT, shape: ['N', spec.numClasses] }],
      docString: doc,
    },
    metadata: {
      model: spec.name,
      method: String(file.config?.method ?? ''),
      bits: bitsLabel(spec),
      steps: String(file.steps),
      normalization: JSON.stringify({ mean: Array.from(normalization.mean), std: Array.from(normalization.std), source: normalization.source }),
    },
  });
  return { bytes, normalization, layers: ctx.layers };
}
