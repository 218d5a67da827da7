/**
 * LSQ backward on webgpu: dx = dy inside [−qn, qp] (else 0) in one elementwise pass, and the step gradient
 * ds = g · Σ dy · (round(v) − v inside, −qn below, qp above), v = x/s, summed per channel, in one reduction pass
 * (plus a small pass adding per-workgroup partial sums when a channel has many elements). The stock path takes
 * about fifteen launches (comparisons, casts, fills, selects, products, a sum).
 *
 * dx and ds stay separate passes because a TF.js webgpu program writes exactly one output buffer and the
 * backend has no zero-copy slice, so a combined output would cost a copy per gradient.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { FlatProgram } from './flat-program';
import { LSQ_FAKE_QUANT_GRAD, lsqChannels, type LsqFakeQuantGradAttrs } from '../contracts';
import { fusedKernel } from '../project-kernel';
import { workgroupSum, workgroupSumDeclaration } from './workgroup-sum';
import { sumPartials } from './sum-partials';

const WORKGROUP = 64;
/** Elements of one channel a workgroup reduces; more make partial sums that a second pass adds. */
const ELEMENTS_PER_WORKGROUP = 4096;

/** v = x/s and its range test, written as the stock path computes them (Div; Less, Greater, LogicalOr, LogicalNot). */
const RANGE_SNIPPET = `
  let s = stepSize[index % uniforms.channels];
  let v = x[index] / s;
  let below = v < -uniforms.qn;
  let above = v > uniforms.qp;
`;

class LsqDxProgram extends FlatProgram {
  readonly variableNames = ['dy', 'x', 'stepSize'];
  readonly uniforms = 'qn : f32, qp : f32, channels : i32,';
  readonly shaderKey = 'qatLsqDx';

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${RANGE_SNIPPET}
          setOutputAtIndex(index, dy[index] * f32(!(below || above)));
        }
      }
    `;
  }
}

/** Output [parts, channels]: workgroup w reduces part w / channels of channel w % channels. */
class LsqDsPartialProgram implements WebGPUProgram {
  readonly variableNames = ['dy', 'x', 'stepSize'];
  readonly uniforms = 'qn : f32, qp : f32, channels : i32, perChannel : i32, perPart : i32, scale : f32,';
  readonly workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  readonly shaderKey = 'qatLsqDsPartial';
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];

  constructor(readonly outputShape: number[]) {
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = [outputShape[0] * outputShape[1], 1, 1];
  }

  getUserCode(): string {
    return `
      ${workgroupSumDeclaration(WORKGROUP)}

      fn dsTerm(index : i32) -> f32 {
        ${RANGE_SNIPPET}
        let r = round(clamp(v, -uniforms.qn, uniforms.qp));
        var e = r - v;
        if (below) { e = -uniforms.qn; }
        if (above) { e = uniforms.qp; }
        return dy[index] * e;
      }

      fn main(index : i32) {
        let t = i32(localIndex);
        let w = i32(workgroupId.x);
        let c = w % uniforms.channels;
        let part = w / uniforms.channels;
        let jEnd = min((part + 1) * uniforms.perPart, uniforms.perChannel);
        var acc = 0.0;
        for (var j = part * uniforms.perPart + t; j < jEnd; j = j + ${WORKGROUP}) {
          acc = acc + dsTerm(j * uniforms.channels + c);
        }
        ${workgroupSum(WORKGROUP)}
        if (t == 0) {
          setOutputAtIndex(w, sums[0] * uniforms.scale);
        }
      }
    `;
  }
}

export function runLsqFakeQuantGrad(
  backend: WebGPUBackend,
  dy: tf.TensorInfo,
  x: tf.TensorInfo,
  stepSize: tf.TensorInfo,
  attrs: LsqFakeQuantGradAttrs,
): [tf.TensorInfo, tf.TensorInfo] {
  const channels = lsqChannels(x.shape, stepSize.shape);
  if (channels === null) throw new Error(`${LSQ_FAKE_QUANT_GRAD}: step of shape [${stepSize.shape}] does not fit x of shape [${x.shape}]`);
  const range = [
    { type: 'float32', data: [attrs.qn] },
    { type: 'float32', data: [attrs.qp] },
    { type: 'int32', data: [channels] },
  ];
  const dx = backend.runWebGPUProgram(new LsqDxProgram(x.shape), [dy, x, stepSize], 'float32', range);

  const perChannel = x.shape.reduce((a, b) => a * b, 1) / channels;
  const parts = Math.max(1, Math.ceil(perChannel / ELEMENTS_PER_WORKGROUP));
  const perPart = Math.ceil(perChannel / parts);
  const partial = backend.runWebGPUProgram(new LsqDsPartialProgram([parts, channels]), [dy, x, stepSize], 'float32', [
    ...range,
    { type: 'int32', data: [perChannel] },
    { type: 'int32', data: [perPart] },
    { type: 'float32', data: [parts === 1 ? attrs.gradScale : 1] },
  ]);
  let ds = partial;
  if (parts > 1) {
    ds = sumPartials(backend, partial, [channels], attrs.gradScale);
    backend.disposeData(partial.dataId);
  }
  // Same element count, so handing the buffer over under the step's shape is a reshape that keeps no extra reference.
  return [dx, { ...ds, shape: stepSize.shape.slice() }];
}

export const lsqFakeQuantGradKernel = fusedKernel(LSQ_FAKE_QUANT_GRAD, ({ dy, x, stepSize }, attrs, backend: WebGPUBackend) =>
  runLsqFakeQuantGrad(backend, dy, x, stepSize, attrs),
);
