/** ReLU's gradient in one pass: dy·step(x), the stock Step and Multiply (two launches) with their NaN rule. */
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { RELU_GRAD } from '../contracts';
import { fusedKernel } from '../project-kernel';
import { FlatProgram } from './flat-program';

class ReluGradProgram extends FlatProgram {
  readonly variableNames = ['dy', 'x'];
  readonly shaderKey = 'qatReluGrad';

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let a = x[index];
          var s = select(0.0, 1.0, a > 0.0);
          if (isnan(a)) { s = a; }
          setOutputAtIndex(index, dy[index] * s);
        }
      }
    `;
  }
}

export const reluGradKernel = fusedKernel(RELU_GRAD, ({ dy, x }, _attrs, backend: WebGPUBackend) =>
  backend.runWebGPUProgram(new ReluGradProgram(x.shape), [dy, x], 'float32'),
);
