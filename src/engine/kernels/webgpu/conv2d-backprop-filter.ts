/**
 * Conv2DBackpropFilter for the webgpu backend as a tiled implicit GEMM.
 *
 * The filter gradient is a matrix product with a long reduction:
 *   dW[k, n] = Σ_m A[k, m] · dy[m, n],  k = (kh·KW + kw)·CI + ci,  n = co,  m = (b·OH + oh)·OW + ow,
 *   A[k, m] = x[b, oh·sh − padTop + kh, ow·sw − padLeft + kw, ci] (0 in the padding).
 * The stock kernel gives each output element one thread that walks all of m alone (50k steps for cnn-small at
 * batch 64), so few threads run long serial loops with scattered reads. Here a workgroup owns a 32×32 block of
 * dW, stages 32-wide slices of A and dy in workgroup memory, and each thread accumulates a 4×4 block. The
 * output has few elements, so m is also split across workgroups (split-K) to fill the GPU; a second small
 * pass adds the partial sums in a fixed order, so results are deterministic.
 *
 * Handles NHWC with any stride, padding and filter size (dilation is always 1 for this kernel); NCHW goes to the
 * stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { ProjectKernel } from '../project-kernel';
import { sumPartials } from './sum-partials';

const TILE = 32;
const THREADS = 64;
/** Workgroups worth filling a large GPU; split-K stops at MIN_CHUNKS_PER_SPLIT reduction slices per workgroup. */
const TARGET_WORKGROUPS = 512;
const MIN_CHUNKS_PER_SPLIT = 8;
/** WebGPU's guaranteed workgroups per dispatch dimension; the backend would fold a larger grid, which this kernel's indexing does not expect. */
const MAX_WORKGROUPS_PER_DIMENSION = 65535;

class FilterGradGemmProgram implements WebGPUProgram {
  readonly variableNames = ['x', 'dy'];
  readonly uniforms = 'pads : vec2<i32>, strides : vec2<i32>, filterWidth : i32, dimK : i32, dimN : i32, dimM : i32, mPerSplit : i32, tilesN : i32,';
  readonly workgroupSize: [number, number, number] = [THREADS, 1, 1];
  readonly shaderKey = 'qatConv2dFilterGradGemm';
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];

  constructor(readonly outputShape: number[], tiles: number, splits: number) {
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = [tiles, splits, 1];
  }

  getUserCode(): string {
    // Thread t loads A rows k0 + t % 32 and dy columns n0 + t % 32 for slice rows t / 32 + 2j; it multiplies
    // dW rows k0 + 4·(t / 8) + i by columns n0 + 4·(t % 8) + j.
    return `
      var<workgroup> tileA : array<f32, ${TILE * TILE}>;
      var<workgroup> tileB : array<f32, ${TILE * TILE}>;

      fn main(index : i32) {
        let t = i32(localIndex);
        let tile = i32(workgroupId.x);
        let k0 = (tile / uniforms.tilesN) * ${TILE};
        let n0 = (tile % uniforms.tilesN) * ${TILE};
        let split = i32(workgroupId.y);
        let mBegin = split * uniforms.mPerSplit;
        let mEnd = min(mBegin + uniforms.mPerSplit, uniforms.dimM);

        let inH = uniforms.xShape.y;
        let inW = uniforms.xShape.z;
        let inC = uniforms.xShape.w;
        let outH = uniforms.dyShape.y;
        let outW = uniforms.dyShape.z;

        let lane = t % ${TILE};
        let k = k0 + lane;
        let ci = k % inC;
        let tap = k / inC;
        let kh = tap / uniforms.filterWidth;
        let kw = tap % uniforms.filterWidth;
        let kValid = k < uniforms.dimK;
        let n = n0 + lane;
        let nValid = n < uniforms.dimN;

        let row0 = (t / 8) * 4;
        let col0 = (t % 8) * 4;
        var acc0 = vec4<f32>(0.0);
        var acc1 = vec4<f32>(0.0);
        var acc2 = vec4<f32>(0.0);
        var acc3 = vec4<f32>(0.0);

        // Loop bounds come from uniforms only: barriers must stay in uniform control flow.
        for (var chunk = 0; chunk < uniforms.mPerSplit / ${TILE}; chunk = chunk + 1) {
          let m0 = mBegin + chunk * ${TILE};
          for (var j = 0; j < ${(TILE * TILE) / THREADS}; j = j + 1) {
            let ml = t / ${TILE} + ${THREADS / TILE} * j;
            let m = m0 + ml;
            var a = 0.0;
            var b = 0.0;
            if (m < mEnd) {
              if (kValid) {
                let ow = m % outW;
                let rest = m / outW;
                let oh = rest % outH;
                let batch = rest / outH;
                let ih = oh * uniforms.strides.x - uniforms.pads.x + kh;
                let iw = ow * uniforms.strides.y - uniforms.pads.y + kw;
                if (ih >= 0 && ih < inH && iw >= 0 && iw < inW) {
                  a = x[((batch * inH + ih) * inW + iw) * inC + ci];
                }
              }
              if (nValid) {
                b = dy[m * uniforms.dimN + n];
              }
            }
            tileA[ml * ${TILE} + lane] = a;
            tileB[ml * ${TILE} + lane] = b;
          }
          workgroupBarrier();
          for (var mm = 0; mm < ${TILE}; mm = mm + 1) {
            let base = mm * ${TILE};
            let bv = vec4<f32>(tileB[base + col0], tileB[base + col0 + 1], tileB[base + col0 + 2], tileB[base + col0 + 3]);
            acc0 = acc0 + tileA[base + row0] * bv;
            acc1 = acc1 + tileA[base + row0 + 1] * bv;
            acc2 = acc2 + tileA[base + row0 + 2] * bv;
            acc3 = acc3 + tileA[base + row0 + 3] * bv;
          }
          workgroupBarrier();
        }

        let outBase = split * uniforms.dimK * uniforms.dimN;
        for (var i = 0; i < 4; i = i + 1) {
          let r = k0 + row0 + i;
          if (r < uniforms.dimK) {
            var v = acc0;
            if (i == 1) { v = acc1; }
            if (i == 2) { v = acc2; }
            if (i == 3) { v = acc3; }
            for (var c = 0; c < 4; c = c + 1) {
              let col = n0 + col0 + c;
              if (col < uniforms.dimN) {
                setOutputAtIndex(outBase + r * uniforms.dimN + col, v[c]);
              }
            }
          }
        }
      }
    `;
  }
}

/** An empty batch, or a filter too large for one dispatch row of tiles, goes to the stock kernel. */
function fitsGemm(info: tf.backend_util.Conv2DInfo): boolean {
  const tiles = Math.ceil((info.filterHeight * info.filterWidth * info.inChannels) / TILE) * Math.ceil(info.outChannels / TILE);
  return info.batchSize * info.outHeight * info.outWidth > 0 && tiles <= MAX_WORKGROUPS_PER_DIMENSION;
}

function filterGrad(backend: WebGPUBackend, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const filterShape = info.filterShape;
  const dimK = info.filterHeight * info.filterWidth * info.inChannels;
  const dimN = info.outChannels;
  const dimM = info.batchSize * info.outHeight * info.outWidth;
  const tilesN = Math.ceil(dimN / TILE);
  const tiles = Math.ceil(dimK / TILE) * tilesN;
  const chunks = Math.ceil(dimM / TILE);
  const splits = Math.max(1, Math.min(Math.ceil(TARGET_WORKGROUPS / tiles), Math.floor(chunks / MIN_CHUNKS_PER_SPLIT)));
  const mPerSplit = Math.ceil(chunks / splits) * TILE;
  const usedSplits = Math.ceil(dimM / mPerSplit);
  const program = new FilterGradGemmProgram(usedSplits === 1 ? filterShape : [usedSplits, dimK * dimN], tiles, usedSplits);
  const partial = backend.runWebGPUProgram(program, [x, dy], 'float32', [
    { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
    { type: 'int32', data: [info.strideHeight, info.strideWidth] },
    { type: 'int32', data: [info.filterWidth] },
    { type: 'int32', data: [dimK] },
    { type: 'int32', data: [dimN] },
    { type: 'int32', data: [dimM] },
    { type: 'int32', data: [mPerSplit] },
    { type: 'int32', data: [tilesN] },
  ]);
  if (usedSplits === 1) return partial;
  const out = sumPartials(backend, partial, filterShape, 1);
  backend.disposeData(partial.dataId);
  return out;
}

export const conv2dBackpropFilterKernel: ProjectKernel = {
  kernelName: 'Conv2DBackpropFilter',
  role: 'custom',
  make(stock) {
    return ((args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
      const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      const channelsLast = attrs.dataFormat !== 'NCHW' && x.dtype === 'float32' && dy.dtype === 'float32';
      const info = channelsLast
        ? tf.backend_util.computeConv2DInfo(
            x.shape as [number, number, number, number],
            attrs.filterShape,
            attrs.strides,
            1,
            attrs.pad,
            attrs.dimRoundingMode,
            false,
            'channelsLast',
          )
        : null;
      if (!info || !fitsGemm(info)) {
        if (!stock) throw new Error('Conv2DBackpropFilter: no stock webgpu kernel to fall back to');
        return stock.kernelFunc(args as never);
      }
      return filterGrad(args.backend as WebGPUBackend, x, dy, info);
    }) as unknown as tf.KernelFunc;
  },
};
