/**
 * Adds partial results laid out as [parts, n] into n outputs, in part order (deterministic), times a scale.
 * The second pass of the split reductions (filter gradient, LSQ step gradient).
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { FlatProgram } from './flat-program';

class SumPartialsProgram extends FlatProgram {
  readonly variableNames = ['partials'];
  readonly uniforms = 'parts : i32, scale : f32,';
  readonly shaderKey = 'qatSumPartials';

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          var s = 0.0;
          for (var p = 0; p < uniforms.parts; p = p + 1) {
            s = s + partials[p * uniforms.size + index];
          }
          setOutputAtIndex(index, s * uniforms.scale);
        }
      }
    `;
  }
}

/** `partials` holds parts × size(outShape) values; returns their sum over parts, shaped outShape, times scale. */
export function sumPartials(backend: WebGPUBackend, partials: tf.TensorInfo, outShape: number[], scale: number): tf.TensorInfo {
  const size = outShape.reduce((a, b) => a * b, 1);
  const parts = Math.round(partials.shape.reduce((a, b) => a * b, 1) / size);
  return backend.runWebGPUProgram(new SumPartialsProgram(outShape), [partials], 'float32', [
    { type: 'int32', data: [parts] },
    { type: 'float32', data: [scale] },
  ]);
}
