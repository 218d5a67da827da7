/**
 * LSQ fake quantization forward in one pass: round(clip(x/s, −qn, qp))·s, with the step per tensor or per channel
 * of the last axis. Written with the same WGSL expressions as the stock Div, Clip, Round and Mul kernels it
 * replaces (four launches), so the values are the same.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { FlatProgram } from './flat-program';
import { LSQ_FAKE_QUANT, lsqChannels, type LsqFakeQuantAttrs } from '../contracts';
import { fusedKernel } from '../project-kernel';

class LsqFakeQuantProgram extends FlatProgram {
  readonly variableNames = ['x', 'stepSize'];
  readonly uniforms = 'qn : f32, qp : f32, channels : i32,';
  readonly shaderKey = 'qatLsqFakeQuant';

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let s = stepSize[index % uniforms.channels];
          let v = x[index] / s;
          // NaN stays NaN, as through the stock Clip: a diverged run must still show a NaN loss.
          if (isnan(v)) {
            setOutputAtIndex(index, v);
          } else {
            setOutputAtIndex(index, round(clamp(v, -uniforms.qn, uniforms.qp)) * s);
          }
        }
      }
    `;
  }
}

export function runLsqFakeQuant(backend: WebGPUBackend, x: tf.TensorInfo, stepSize: tf.TensorInfo, attrs: LsqFakeQuantAttrs): tf.TensorInfo {
  const channels = lsqChannels(x.shape, stepSize.shape);
  if (channels === null) throw new Error(`${LSQ_FAKE_QUANT}: step of shape [${stepSize.shape}] does not fit x of shape [${x.shape}]`);
  return backend.runWebGPUProgram(new LsqFakeQuantProgram(x.shape), [x, stepSize], 'float32', [
    { type: 'float32', data: [attrs.qn] },
    { type: 'float32', data: [attrs.qp] },
    { type: 'int32', data: [channels] },
  ]);
}

export const lsqFakeQuantKernel = fusedKernel(LSQ_FAKE_QUANT, ({ x, stepSize }, attrs, backend: WebGPUBackend) => runLsqFakeQuant(backend, x, stepSize, attrs));
