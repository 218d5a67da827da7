/**
 * The tiled matrix product behind the project's convolution kernels on webgpu (forward, input gradient, filter
 * gradient): C[r, c] = Σ_q A(r, q) · B(q, c), where A and B are not stored as matrices but read from the
 * convolution's tensors by index arithmetic (an implicit GEMM, no im2col buffer).
 *
 * A workgroup of 64 threads owns a 32×32 block of C. For each 32-wide slice of q, thread t stages A(r0 + t % 32, ·)
 * and B(·, c0 + t % 32) for 16 values of q into workgroup memory, then accumulates a 4×4 block of C from them: every
 * staged value is used 32 times. Each thread's own row r (and column c) is fixed over the whole reduction, so the
 * index arithmetic that depends on it alone runs once ("setup"), and what depends on q runs per staged value.
 * The layer's sizes (channels, filter and image sizes, strides, padding) are written into the shader as constants,
 * one shader per layer shape: divisions by a constant compile to a multiply and a shift, where a division by a
 * uniform is a real integer division per staged value (on SwiftShader that cost more than the arithmetic). Only
 * the batch size stays a uniform (dimR), so training, evaluation and Hessian batches share a shader.
 * The reduction can be split across workgroups (split-K): each writes its partial block, and a second pass adds
 * them in a fixed order, so results repeat exactly.
 */
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type * as tf from '@tensorflow/tfjs';
import type { ProjectKernel } from '../project-kernel';
import { storedAsFloat32 } from './stored-float32';
import { sumPartials } from './sum-partials';

const TILE = 32;
const THREADS = 64;
/** Workgroups worth filling a large GPU; split-K stops at MIN_CHUNKS_PER_SPLIT reduction slices per workgroup. */
const TARGET_WORKGROUPS = 512;
const MIN_CHUNKS_PER_SPLIT = 8;
/** WebGPU's guaranteed workgroups per dispatch dimension. */
const MAX_WORKGROUPS_PER_DIMENSION = 65535;

/** WGSL that reads the two implicit operands. Statements see the inputs, the dims uniforms and the names below. */
export interface GemmOperands {
  /** Runs once per thread with `r` (its row of C, may be ≥ dimR) in scope. */
  rowSetup: string;
  /** Runs once per thread with `c` (its column of C, may be ≥ dimC) in scope. */
  colSetup: string;
  /** Runs per staged slice element with `q` (< dimQ) in scope, before both reads. */
  reductionSetup?: string;
  /** Assigns `a` = A(r, q) (it starts at 0); runs only for r < dimR. */
  readA: string;
  /** Assigns `b` = B(q, c) (it starts at 0); runs only for c < dimC. */
  readB: string;
}

interface GemmShape {
  dimR: number;
  dimC: number;
  dimQ: number;
}

class ConvGemmProgram implements WebGPUProgram {
  readonly uniforms = 'dimR : i32, dimC : i32, dimQ : i32, qPerSplit : i32,';
  readonly workgroupSize: [number, number, number] = [THREADS, 1, 1];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly shaderKey: string;

  constructor(
    readonly variableNames: string[],
    readonly outputShape: number[],
    private readonly operands: GemmOperands,
    key: string,
    grid: [number, number, number],
  ) {
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = grid;
    this.shaderKey = `qatConvGemm_${key}`;
  }

  getUserCode(): string {
    const o = this.operands;
    // Thread t stages A rows r0 + t % 32 and B columns c0 + t % 32 for slice rows t / 32 + 2j; it accumulates
    // C rows r0 + 4·(t / 8) + i by columns c0 + 4·(t % 8) + j.
    return `
      var<workgroup> tileA : array<f32, ${TILE * TILE}>;
      var<workgroup> tileB : array<f32, ${TILE * TILE}>;

      fn main(index : i32) {
        let t = i32(localIndex);
        let r0 = i32(workgroupId.x) * ${TILE};
        let c0 = i32(workgroupId.y) * ${TILE};
        let split = i32(workgroupId.z);
        let qBegin = split * uniforms.qPerSplit;
        let qEnd = min(qBegin + uniforms.qPerSplit, uniforms.dimQ);

        let lane = t % ${TILE};
        let r = r0 + lane;
        let rValid = r < uniforms.dimR;
        ${o.rowSetup}
        let c = c0 + lane;
        let cValid = c < uniforms.dimC;
        ${o.colSetup}

        let row0 = (t / 8) * 4;
        let col0 = (t % 8) * 4;
        var acc0 = vec4<f32>(0.0);
        var acc1 = vec4<f32>(0.0);
        var acc2 = vec4<f32>(0.0);
        var acc3 = vec4<f32>(0.0);

        // Loop bounds come from uniforms only: barriers must stay in uniform control flow.
        for (var chunk = 0; chunk < uniforms.qPerSplit / ${TILE}; chunk = chunk + 1) {
          let q0 = qBegin + chunk * ${TILE};
          for (var j = 0; j < ${(TILE * TILE) / THREADS}; j = j + 1) {
            let ql = t / ${TILE} + ${THREADS / TILE} * j;
            let q = q0 + ql;
            var a = 0.0;
            var b = 0.0;
            if (q < qEnd) {
              ${o.reductionSetup ?? ''}
              if (rValid) {
                ${o.readA}
              }
              if (cValid) {
                ${o.readB}
              }
            }
            tileA[ql * ${TILE} + lane] = a;
            tileB[ql * ${TILE} + lane] = b;
          }
          workgroupBarrier();
          for (var qq = 0; qq < ${TILE}; qq = qq + 1) {
            let base = qq * ${TILE};
            let bv = vec4<f32>(tileB[base + col0], tileB[base + col0 + 1], tileB[base + col0 + 2], tileB[base + col0 + 3]);
            acc0 = acc0 + tileA[base + row0] * bv;
            acc1 = acc1 + tileA[base + row0 + 1] * bv;
            acc2 = acc2 + tileA[base + row0 + 2] * bv;
            acc3 = acc3 + tileA[base + row0 + 3] * bv;
          }
          workgroupBarrier();
        }

        let outBase = split * uniforms.dimR * uniforms.dimC;
        for (var i = 0; i < 4; i = i + 1) {
          let row = r0 + row0 + i;
          if (row < uniforms.dimR) {
            var v = acc0;
            if (i == 1) { v = acc1; }
            if (i == 2) { v = acc2; }
            if (i == 3) { v = acc3; }
            for (var k = 0; k < 4; k = k + 1) {
              let col = c0 + col0 + k;
              if (col < uniforms.dimC) {
                setOutputAtIndex(outBase + row * uniforms.dimC + col, v[k]);
              }
            }
          }
        }
      }
    `;
  }
}

/** The sizes of a layer that its shaders are specialised on: one shader per distinct key. */
function layerKey(i: tf.backend_util.Conv2DInfo): string {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = i;
  return [inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, i.padInfo.top, i.padInfo.left].join('_');
}

/** Whether a product of this shape fits one dispatch (and is not empty); otherwise the stock kernel runs. */
function fitsConvGemm(shape: GemmShape): boolean {
  const { dimR, dimC, dimQ } = shape;
  return dimR > 0 && dimC > 0 && dimQ > 0 && Math.ceil(dimR / TILE) <= MAX_WORKGROUPS_PER_DIMENSION && Math.ceil(dimC / TILE) <= MAX_WORKGROUPS_PER_DIMENSION;
}

interface ConvGemmRequest {
  /** Names the shader variant: the operand code (see `layerKey` for the constants written into it). */
  key: string;
  inputs: Array<{ name: string; tensor: tf.TensorInfo }>;
  operands: GemmOperands;
  /** The layer whose sizes the operand code has written in as constants (all but the batch size). */
  layer: tf.backend_util.Conv2DInfo;
  shape: GemmShape;
  /** The result's shape: dimR × dimC values, row-major. */
  outShape: number[];
  /** Split the reduction across workgroups when the output alone has too few blocks to fill a GPU. */
  splitReduction: boolean;
}

/** Runs C = A·B as described above; one launch, or two when the reduction is split. */
function runConvGemm(backend: WebGPUBackend, req: ConvGemmRequest): tf.TensorInfo {
  const { dimR, dimC, dimQ } = req.shape;
  const tilesR = Math.ceil(dimR / TILE);
  const tilesC = Math.ceil(dimC / TILE);
  const chunks = Math.ceil(dimQ / TILE);
  const splits = req.splitReduction ? Math.max(1, Math.min(Math.ceil(TARGET_WORKGROUPS / (tilesR * tilesC)), Math.floor(chunks / MIN_CHUNKS_PER_SPLIT))) : 1;
  const qPerSplit = Math.ceil(chunks / splits) * TILE;
  const usedSplits = Math.ceil(dimQ / qPerSplit);
  const program = new ConvGemmProgram(
    req.inputs.map((i) => i.name),
    usedSplits === 1 ? req.outShape : [usedSplits, dimR * dimC],
    req.operands,
    `${req.key}_${layerKey(req.layer)}`,
    [tilesR, tilesC, usedSplits],
  );
  const partial = backend.runWebGPUProgram(
    program,
    req.inputs.map((i) => i.tensor),
    'float32',
    [{ type: 'int32', data: [dimR] }, { type: 'int32', data: [dimC] }, { type: 'int32', data: [dimQ] }, { type: 'int32', data: [qPerSplit] }],
  );
  if (usedSplits === 1) return partial;
  const out = sumPartials(backend, partial, req.outShape, 1);
  backend.disposeData(partial.dataId);
  return out;
}

/** A convolution kernel computed by `runConvGemm`: what it reads, how its layer maps onto C = A·B. */
export interface ConvGemmKernelSpec {
  kernelName: 'Conv2D' | 'Conv2DBackpropInput' | 'Conv2DBackpropFilter';
  /** The kernel's two tensor inputs, each with the name the operand code reads it by. */
  inputs: Readonly<Record<string, string>>;
  /** The layer's geometry from the kernel's inputs and attributes (NHWC). */
  layer(inputs: Record<string, tf.TensorInfo>, attrs: tf.NamedAttrMap): tf.backend_util.Conv2DInfo;
  shape(layer: tf.backend_util.Conv2DInfo): GemmShape;
  outShape(layer: tf.backend_util.Conv2DInfo): number[];
  operands(layer: tf.backend_util.Conv2DInfo): GemmOperands;
  splitReduction: boolean;
}

/** The kernel entry: NHWC float32 layers that fit one dispatch run as a GEMM, anything else on the stock kernel. */
export function convGemmKernel(spec: ConvGemmKernelSpec): ProjectKernel {
  return {
    kernelName: spec.kernelName,
    role: 'custom',
    make(stock) {
      return ((args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
        const inputs = args.inputs as Record<string, tf.TensorInfo>;
        const attrs = args.attrs ?? {};
        const names = Object.keys(spec.inputs);
        if (attrs.dataFormat !== 'NCHW' && names.every((n) => inputs[n] !== undefined && storedAsFloat32(args.backend as WebGPUBackend, inputs[n]))) {
          const layer = spec.layer(inputs, attrs);
          const shape = spec.shape(layer);
          if (fitsConvGemm(shape)) {
            return runConvGemm(args.backend as WebGPUBackend, {
              key: spec.kernelName,
              inputs: names.map((n) => ({ name: spec.inputs[n], tensor: inputs[n] })),
              operands: spec.operands(layer),
              layer,
              shape,
              outShape: spec.outShape(layer),
              splitReduction: spec.splitReduction,
            });
          }
        }
        if (!stock) throw new Error(`${spec.kernelName}: no stock webgpu kernel to fall back to`);
        return stock.kernelFunc(args as never);
      }) as unknown as tf.KernelFunc;
    },
  };
}
