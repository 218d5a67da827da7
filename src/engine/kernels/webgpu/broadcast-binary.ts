/**
 * Multiply, Add and Sub for the shapes BatchNorm and the LSQ layers produce: operands of the output's shape,
 * one value, or one value per channel of the last axis ([C] or [1, …, 1, C]). The stock kernels handle any
 * broadcast by turning every flat index into coordinates and back (integer divisions per element) and, for a
 * per-channel operand, stage it in workgroup memory behind a barrier; here the channel is `index % C`, four
 * elements at a time when C allows. Same arithmetic (a op b), so the same values. Everything else, and small
 * tensors (which the stock kernels may compute on the CPU), goes to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { FlatProgram } from './flat-program';
import { storedAsFloat32 } from './stored-float32';
import type { ProjectKernel } from '../project-kernel';

/** Below this many output elements the stock kernel is as good (and may run on the CPU). */
const MIN_ELEMENTS = 4096;

type Op = '*' | '+' | '-';

/** How an operand maps onto the output: element for element, one value, or per channel of the last axis. */
type Layout = 'full' | 'scalar' | 'channel';

function layoutOf(shape: readonly number[], outShape: readonly number[]): Layout | null {
  const size = shape.reduce((a, b) => a * b, 1);
  const outSize = outShape.reduce((a, b) => a * b, 1);
  // A valid broadcast with as many elements as the output can only differ from it by leading ones.
  if (size === outSize) return 'full';
  if (size === 1) return 'scalar';
  const last = outShape[outShape.length - 1];
  const leadingOnes = shape.slice(0, -1).every((d) => d === 1);
  return leadingOnes && shape[shape.length - 1] === last ? 'channel' : null;
}

class BroadcastBinaryProgram extends FlatProgram {
  readonly variableNames = ['A', 'B'];
  readonly uniforms = 'channels : i32,';
  readonly shaderKey: string;
  readonly outputComponent: number;
  readonly variableComponents: number[];

  constructor(
    private readonly op: Op,
    private readonly layouts: [Layout, Layout],
    vec4: boolean,
    outputShape: number[],
  ) {
    super(outputShape, vec4 ? 4 : 1);
    this.outputComponent = vec4 ? 4 : 1;
    this.variableComponents = layouts.map((l) => (vec4 && l !== 'scalar' ? 4 : 1));
    this.shaderKey = `qatBroadcastBinary_${op}_${layouts.join('_')}_${this.outputComponent}`;
  }

  private load(name: string, layout: Layout): string {
    const type = this.outputComponent === 4 ? 'vec4<f32>' : 'f32';
    if (layout === 'full') return `${name}[index]`;
    if (layout === 'scalar') return `${type}(${name}[0])`;
    return `${name}[index % uniforms.channels]`;
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let a = ${this.load('A', this.layouts[0])};
          let b = ${this.load('B', this.layouts[1])};
          setOutputAtIndex(index, a ${this.op} b);
        }
      }
    `;
  }
}

function makeKernel(kernelName: string, op: Op): ProjectKernel {
  return {
    kernelName,
    role: 'custom',
    make(stock) {
      return ((args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
        const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
        const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
        const outSize = outShape.reduce((x, y) => x * y, 1);
        const layouts = [layoutOf(a.shape, outShape), layoutOf(b.shape, outShape)] as [Layout | null, Layout | null];
        const fast =
          storedAsFloat32(args.backend as WebGPUBackend, a) &&
          storedAsFloat32(args.backend as WebGPUBackend, b) &&
          outSize >= MIN_ELEMENTS &&
          layouts[0] !== null &&
          layouts[1] !== null &&
          layouts.includes('full');
        if (!fast) {
          if (!stock) throw new Error(`${kernelName}: no stock webgpu kernel to fall back to`);
          return stock.kernelFunc(args as never);
        }
        const channels = outShape[outShape.length - 1];
        const vec4 = outSize % 4 === 0 && (!layouts.includes('channel') || channels % 4 === 0);
        const program = new BroadcastBinaryProgram(op, layouts as [Layout, Layout], vec4, outShape.slice());
        return (args.backend as WebGPUBackend).runWebGPUProgram(program, [a, b], 'float32', [{ type: 'int32', data: [vec4 ? channels / 4 : channels] }]);
      }) as unknown as tf.KernelFunc;
    },
  };
}

export const multiplyKernel = makeKernel('Multiply', '*');
export const addKernel = makeKernel('Add', '+');
export const subKernel = makeKernel('Sub', '-');
