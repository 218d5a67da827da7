/**
 * An elementwise program over inputs of one shape with float uniforms: the shared shape of the fused
 * parameter-update kernels. `expression` is WGSL over the inputs' values (named as the inputs) and the uniforms.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { FlatProgram } from './flat-program';

class ElementwiseProgram extends FlatProgram {
  readonly uniforms: string;

  constructor(
    readonly shaderKey: string,
    readonly variableNames: string[],
    uniformNames: string[],
    private readonly expression: string,
    outputShape: number[],
  ) {
    super(outputShape);
    this.uniforms = uniformNames.map((u) => `${u} : f32,`).join(' ');
  }

  getUserCode(): string {
    const loads = this.variableNames.map((n) => `let ${n}Value = ${n}[index];`).join('\n');
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${loads}
          setOutputAtIndex(index, ${this.expression});
        }
      }
    `;
  }
}

/** Runs `expression` (inputs as `<name>Value`, uniforms as `uniforms.<name>`) over same-shaped float32 inputs. */
export function runElementwise(
  backend: WebGPUBackend,
  shaderKey: string,
  inputs: Record<string, tf.TensorInfo>,
  uniforms: Record<string, number>,
  expression: string,
): tf.TensorInfo {
  const names = Object.keys(inputs);
  const shape = inputs[names[0]].shape;
  const program = new ElementwiseProgram(shaderKey, names, Object.keys(uniforms), expression, shape);
  return backend.runWebGPUProgram(
    program,
    names.map((n) => inputs[n]),
    'float32',
    Object.values(uniforms).map((v) => ({ type: 'float32', data: [v] })),
  );
}
