/**
 * LSQ fake quantization forward in one pass: round(clip(x/s, −qn, qp))·s, with the step per tensor or per channel
 * of the last axis. Written with the same WGSL expressions as the stock Div, Clip, Round and Mul kernels it
 * replaces (four launches), so the values are the same.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { LSQ_FAKE_QUANT, lsqChannels, type LsqKernelAttrs } from '../../quant/lsq-kernels';
import type { CustomKernel } from './kernel-set';

const WORKGROUP = 64;

class LsqFakeQuantProgram implements WebGPUProgram {
  readonly variableNames = ['x', 'stepSize'];
  readonly uniforms = 'qn : f32, qp : f32, channels : i32,';
  readonly workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  readonly size = true;
  readonly shaderKey = 'qatLsqFakeQuant';
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];

  constructor(readonly outputShape: number[]) {
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    const total = outputShape.reduce((a, b) => a * b, 1);
    this.dispatch = [Math.ceil(total / WORKGROUP), 1, 1];
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let s = stepSize[index % uniforms.channels];
          let v = x[index] / s;
          setOutputAtIndex(index, round(clamp(v, -uniforms.qn, uniforms.qp)) * s);
        }
      }
    `;
  }
}

export function runLsqFakeQuant(backend: WebGPUBackend, x: tf.TensorInfo, stepSize: tf.TensorInfo, attrs: LsqKernelAttrs): tf.TensorInfo {
  const channels = lsqChannels(x.shape, stepSize.shape);
  if (channels === null) throw new Error(`${LSQ_FAKE_QUANT}: step of shape [${stepSize.shape}] does not fit x of shape [${x.shape}]`);
  return backend.runWebGPUProgram(new LsqFakeQuantProgram(x.shape), [x, stepSize], 'float32', [
    { type: 'float32', data: [attrs.qn] },
    { type: 'float32', data: [attrs.qp] },
    { type: 'int32', data: [channels] },
  ]);
}

export const lsqFakeQuantKernel: CustomKernel = {
  kernelName: LSQ_FAKE_QUANT,
  make() {
    return ((args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
      const { x, stepSize } = args.inputs as { x: tf.TensorInfo; stepSize: tf.TensorInfo };
      return runLsqFakeQuant(args.backend as WebGPUBackend, x, stepSize, args.attrs as unknown as LsqKernelAttrs);
    }) as unknown as tf.KernelFunc;
  },
};
