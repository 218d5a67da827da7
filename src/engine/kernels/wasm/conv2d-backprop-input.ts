/**
 * Conv2DBackpropInput for the TF.js wasm backend.
 *
 * The wasm backend's own Conv2DBackpropInput is a plain scalar loop, about ten times slower than its XNNPACK
 * forward Conv2D: in a small CNN's training step it cost more than all forward convolutions together. This
 * module replaces it with XNNPACK forward convolutions plus cheap data movement.
 *
 * The input gradient is a convolution of dy, per spatial axis:
 *   dx[i] = Σ_{o,k : o·s + k·d − pad = i} dy[o] · W[k]
 * Stride 1: one convolution of dy with the filter rotated 180° (dilation d kept), in/out channels swapped.
 * Stride s > 1: split dx by phase r = (i + pad) mod s. Tap k feeds phase (k·d) mod s at dy offset ⌊k·d/s⌋, so
 * each phase is a stride-1 convolution of the un-dilated dy with just the taps it uses; the phase outputs are
 * then interleaved (depth-to-space). That is the work of the forward pass, where convolving a zero-inserted dy
 * (s² times as large) or one convolution over all phases (each padded to the largest tap count) multiplies
 * many zeros: for stride 2 they measured about 3× and 1.6× slower.
 */
import * as tf from '@tensorflow/tfjs';
import type { ProjectKernel } from '../project-kernel';
import { backpropConv2DInfo, checkDyShape, type WithDilations } from './conv-backprop-info';
import { runWasmKernel as runKernelOf, type ExplicitPadding } from './run-kernel';

type TensorInfo = tf.TensorInfo;

const KERNEL_NAME = 'Conv2DBackpropInput';
const runWasmKernel = (name: string, inputs: tf.NamedTensorInfoMap, backend: tf.KernelBackend, attrs: tf.NamedAttrMap = {}) =>
  runKernelOf(KERNEL_NAME, name, inputs, backend, attrs);


function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** One output phase of one spatial axis: a stride-1 convolution of dy along that axis. */
interface AxisPhase {
  /** Forward filter taps feeding this phase, in the order of the inner filter (reversed); empty: all zeros. */
  taps: number[];
  /** Explicit padding of dy along this axis for the inner convolution. */
  padBefore: number;
  padAfter: number;
}

/** How one spatial axis of dx is computed from the same axis of dy. */
interface AxisPlan {
  /** One entry per forward stride step; phase r holds dx at q·stride + r − cropBegin. */
  phases: AxisPhase[];
  /** Spacing of the inner filter taps: the inner convolutions' dilation. */
  dilation: number;
  /** Length of every phase's inner output along this axis. */
  convOut: number;
  /** Where dx starts in the interleaved axis of length convOut · stride. */
  cropBegin: number;
}

function planAxis(
  inSize: number,
  outSize: number,
  kernel: number,
  stride: number,
  dilation: number,
  padBefore: number,
): AxisPlan {
  // Tap k adds dy[o]·W[k] to dx[o·stride + k·dilation − padBefore]: to phase (k·dilation) mod stride, dy offset
  // ⌊k·dilation/stride⌋ back. Within a phase these offsets step by dilation/gcd.
  const reach = (k: number): number => Math.floor((k * dilation) / stride);
  const byPhase: number[][] = Array.from({ length: stride }, () => []);
  for (let k = 0; k < kernel; k++) byPhase[(k * dilation) % stride].push(k);
  const used = byPhase.filter((taps) => taps.length > 0);

  // Skip leading inner outputs that land wholly before dx, as far as every phase's front padding of dy
  // (which cannot go negative) allows.
  let shift = Math.floor(padBefore / stride);
  for (const taps of used) shift = Math.min(shift, reach(taps[taps.length - 1]));
  // Inner outputs dx needs; more when dy reaches past the input's end (explicit pads, 'ceil' rounding), since
  // the padding after dy cannot go negative either. The surplus is cropped.
  let convOut = Math.floor((inSize - 1 + padBefore) / stride) + 1 - shift;
  for (const taps of used) convOut = Math.max(convOut, outSize - shift + reach(taps[0]));

  return {
    phases: byPhase.map((taps) =>
      taps.length === 0
        ? { taps, padBefore: 0, padAfter: 0 }
        : {
            taps: taps.slice().reverse(),
            padBefore: reach(taps[taps.length - 1]) - shift,
            padAfter: convOut - outSize + shift - reach(taps[0]),
          },
    ),
    dilation: dilation / gcd(stride, dilation),
    convOut,
    cropBegin: padBefore - shift * stride,
  };
}

/** A phase's inner filter [TH, TW, CO, CI]: the forward taps it uses, rotated, in/out channels swapped. */
function phaseFilter(w: Float32Array, shape: number[], rows: number[], cols: number[]): Float32Array {
  const [, kw, ci, co] = shape;
  const out = new Float32Array(rows.length * cols.length * co * ci);
  let dst = 0;
  for (const y of rows)
    for (const x of cols) {
      const src = (y * kw + x) * ci * co;
      for (let o = 0; o < co; o++) for (let i = 0; i < ci; i++) out[dst++] = w[src + i * co + o];
    }
  return out;
}

function conv2DBackpropInputWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: object;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const backend = args.backend as tf.KernelBackend;
  const { dy, filter } = args.inputs as { dy?: TensorInfo; filter?: TensorInfo };
  if (dy === undefined || filter === undefined) {
    throw new Error(`${KERNEL_NAME} needs inputs dy and filter`);
  }
  const attrs = (args.attrs ?? {}) as unknown as WithDilations<tf.Conv2DBackpropInputAttrs>;
  const { inputShape } = attrs;
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') {
    throw new Error(`${KERNEL_NAME} on wasm supports float32 only, got dy ${dy.dtype} and filter ${filter.dtype}`);
  }
  if (filter.shape.length !== 4) {
    throw new Error(`${KERNEL_NAME}: filter must be rank 4, got shape [${filter.shape}]`);
  }

  const { info, channelsLast } = backpropConv2DInfo(attrs, inputShape, filter.shape as [number, number, number, number]);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  if (filter.shape[2] !== inChannels) {
    throw new Error(`${KERNEL_NAME}: filter has ${filter.shape[2]} input channels, inputShape has ${inChannels}`);
  }
  checkDyShape(KERNEL_NAME, dy, info, channelsLast);
  if (tf.util.sizeFromShape(info.inShape) === 0 || tf.util.sizeFromShape(dy.shape) === 0) {
    return runWasmKernel('Fill', {}, backend, { shape: info.inShape, value: 0, dtype: 'float32' });
  }

  const h = planAxis(inHeight, outHeight, info.filterHeight, info.strideHeight, info.dilationHeight, info.padInfo.top);
  const v = planAxis(inWidth, outWidth, info.filterWidth, info.strideWidth, info.dilationWidth, info.padInfo.left);
  const phaseShape = [batchSize, h.convOut, v.convOut, inChannels];

  const temps: TensorInfo[] = [];
  const keep = (t: TensorInfo): TensorInfo => {
    temps.push(t);
    return t;
  };
  const concat = (parts: TensorInfo[], axis: number): TensorInfo =>
    keep(runWasmKernel('Concat', parts as unknown as tf.NamedTensorInfoMap, backend, { axis }));
  try {
    // The wasm Conv2D is channels-last only.
    const dyNHWC = channelsLast ? dy : keep(runWasmKernel('Transpose', { x: dy }, backend, { perm: [0, 2, 3, 1] }));
    const w = backend.readSync(filter.dataId) as Float32Array;

    const phaseOut = (ph: AxisPhase, pw: AxisPhase): TensorInfo => {
      if (ph.taps.length === 0 || pw.taps.length === 0) {
        return keep(runWasmKernel('Fill', {}, backend, { shape: phaseShape, value: 0, dtype: 'float32' }));
      }
      const fShape = [ph.taps.length, pw.taps.length, outChannels, inChannels];
      const f = keep({
        dataId: backend.write(phaseFilter(w, filter.shape, ph.taps, pw.taps), fShape, 'float32'),
        shape: fShape,
        dtype: 'float32',
      });
      const explicitPad: ExplicitPadding = [
        [0, 0],
        [ph.padBefore, ph.padAfter],
        [pw.padBefore, pw.padAfter],
        [0, 0],
      ];
      return keep(
        runWasmKernel('Conv2D', { x: dyNHWC, filter: f }, backend, {
          strides: [1, 1],
          dilations: [h.dilation, v.dilation],
          pad: explicitPad,
          dataFormat: 'NHWC',
        }),
      );
    };

    // Interleave the phases (depth-to-space) with two concatenations and no transpose: column phases along the
    // channels give [B, QH, QW, PW·CI], the memory order of [B, QH, QW·PW, CI]; row phases then along a new
    // axis after the rows give [B, QH, PH, QW·PW·CI], that of [B, QH·PH, QW·PW, CI]. The first concatenation
    // copies CI values at a time, the second whole rows. One large transpose was slower, and one inner
    // convolution for all phases wastes the multiplications of the zero taps that pad each phase.
    const rowsOut = h.phases.map((ph) => {
      const cols = v.phases.map((pw) => phaseOut(ph, pw));
      return cols.length === 1 ? cols[0] : concat(cols, 3);
    });
    let full = rowsOut[0];
    if (rowsOut.length > 1) {
      const flat = [batchSize * h.convOut, 1, v.convOut * v.phases.length * inChannels];
      full = concat(
        rowsOut.map((r) => keep(runWasmKernel('Reshape', { x: r }, backend, { shape: flat }))),
        1,
      );
    }
    const fullH = h.convOut * h.phases.length;
    const fullW = v.convOut * v.phases.length;
    let dx = keep(runWasmKernel('Reshape', { x: full }, backend, { shape: [batchSize, fullH, fullW, inChannels] }));
    if (h.cropBegin !== 0 || v.cropBegin !== 0 || fullH !== inHeight || fullW !== inWidth) {
      dx = keep(
        runWasmKernel('Slice', { x: dx }, backend, {
          begin: [0, h.cropBegin, v.cropBegin, 0],
          size: [batchSize, inHeight, inWidth, inChannels],
        }),
      );
    }
    if (!channelsLast) return runWasmKernel('Transpose', { x: dx }, backend, { perm: [0, 3, 1, 2] });
    // The result outlives the temps: give it its own reference before they are released.
    return runWasmKernel('Reshape', { x: dx }, backend, { shape: dx.shape });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/** Always on: it computes what the stock kernel computes, faster, so there is nothing to switch back to. */
export const conv2dBackpropInputWasmKernel: ProjectKernel = {
  kernelName: KERNEL_NAME,
  role: 'always',
  make: () => conv2DBackpropInputWasm as tf.KernelFunc,
};
