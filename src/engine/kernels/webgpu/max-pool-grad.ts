/**
 * MaxPoolGrad for the webgpu backend with the tie rule of the cpu and wasm backends (and PyTorch): the gradient
 * of a window goes to its *first* maximum. Stock tfjs-backend-webgpu routes it to the last one, and LSQ makes
 * exact ties common (quantized inputs times quantized weights land on a lattice), so the two backends trained
 * differently. One pass: every input element recomputes the argmax of the windows that cover it. It fixes what
 * the kernel computes, not its speed, so it is registered under both kernel sets.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { ProjectKernel } from '../project-kernel';
import { FlatProgram } from './flat-program';

class MaxPoolGradFirstMaxProgram extends FlatProgram {
  readonly variableNames = ['x', 'dy'];
  readonly uniforms = 'strides : vec2<i32>, pads : vec2<i32>, filterDims : vec2<i32>, outDims : vec2<i32>,';
  readonly shaderKey = 'qatMaxPoolGradFirstMax';

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let coords = getCoordsFromIndex(index);
          let b = coords[0];
          let xR = coords[1];
          let xC = coords[2];
          let d = coords[3];
          let rLo = max(0, (xR + uniforms.pads.x - uniforms.filterDims.x + uniforms.strides.x) / uniforms.strides.x);
          let rHi = min(uniforms.outDims.x - 1, (xR + uniforms.pads.x) / uniforms.strides.x);
          let cLo = max(0, (xC + uniforms.pads.y - uniforms.filterDims.y + uniforms.strides.y) / uniforms.strides.y);
          let cHi = min(uniforms.outDims.y - 1, (xC + uniforms.pads.y) / uniforms.strides.y);
          var acc = 0.0;
          for (var oR = rLo; oR <= rHi; oR++) {
            for (var oC = cLo; oC <= cHi; oC++) {
              let r0 = oR * uniforms.strides.x - uniforms.pads.x;
              let c0 = oC * uniforms.strides.y - uniforms.pads.y;
              var best = 0.0;
              var found = false;
              var bestR = -1;
              var bestC = -1;
              for (var wR = 0; wR < uniforms.filterDims.x; wR++) {
                let r = r0 + wR;
                if (r < 0 || r >= uniforms.xShape[1]) { continue; }
                for (var wC = 0; wC < uniforms.filterDims.y; wC++) {
                  let c = c0 + wC;
                  if (c < 0 || c >= uniforms.xShape[2]) { continue; }
                  let v = getX(b, r, c, d);
                  if (!found || v > best) {
                    best = v;
                    found = true;
                    bestR = r;
                    bestC = c;
                  }
                }
              }
              if (bestR == xR && bestC == xC) {
                acc = acc + getDy(b, oR, oC, d);
              }
            }
          }
          setOutputAtIndex(index, acc);
        }
      }
    `;
  }
}

function maxPoolGradFirstMax(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const backend = args.backend as WebGPUBackend;
  const program = new MaxPoolGradFirstMaxProgram(input.shape);
  return backend.runWebGPUProgram(program, [input, dy], input.dtype, [
    { type: 'int32', data: [info.strideHeight, info.strideWidth] },
    { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
    { type: 'int32', data: [info.filterHeight, info.filterWidth] },
    { type: 'int32', data: [info.outHeight, info.outWidth] },
  ]);
}

export const maxPoolGradKernel: ProjectKernel = {
  kernelName: 'MaxPoolGrad',
  role: 'always',
  make: () => maxPoolGradFirstMax as unknown as tf.KernelFunc,
};
