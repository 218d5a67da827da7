/**
 * TF.js's webgpu BatchMatMul (and _FusedMatMul) takes a split-K program for a long inner dimension (K ≥ 2000) with
 * few output tiles, as a dense layer on flattened CNN features has: its partial sums meet through atomic adds, in
 * whatever order the GPU runs them, so the same step gave different last digits from run to run (cnn-small,
 * batch 16, SwiftShader). These wrappers take TF.js's small-output program there instead, which sums in a fixed
 * order, and leave every other case to TF.js's choice.
 */
import * as tf from '@tensorflow/tfjs';
import type { ProjectKernel } from '../project-kernel';

/** tfjs-backend-webgpu's MatMulProgramType.MatMulSmallOutputSizeProgram. */
const SMALL_OUTPUT_PROGRAM = 2;
const FLAG = 'WEBGPU_MATMUL_PROGRAM_TYPE';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

const prod = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

/** Whether TF.js 4.22 would pick its split-K program for these inputs (BatchMatMul_impl.ts, the same test). */
export function takesSplitK(a: number[], b: number[], transposeA: boolean, transposeB: boolean, threshold: number): boolean {
  const outerA = transposeA ? a[a.length - 1] : a[a.length - 2];
  const outerB = transposeB ? b[b.length - 2] : b[b.length - 1];
  const innerB = transposeB ? b[b.length - 1] : b[b.length - 2];
  const batch = Math.max(prod(a.slice(0, -2)), prod(b.slice(0, -2)));
  const tiles = batch * Math.ceil(outerA / 32) * Math.ceil(outerB / 32);
  const few = tiles <= threshold || (outerA <= 8 && tiles <= threshold * 2);
  return few && batch * outerA * outerB > 128 && batch === 1 && innerB >= 2000;
}

function deterministic(kernelName: 'BatchMatMul' | '_FusedMatMul'): ProjectKernel {
  return {
    kernelName,
    role: 'always',
    make(stock) {
      if (!stock) throw new Error(`the webgpu backend has no ${kernelName} kernel to wrap`);
      const stockFunc = stock.kernelFunc as unknown as (args: KernelArgs) => tf.TensorInfo;
      return ((args: KernelArgs) => {
        const env = tf.env();
        const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
        const attrs = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
        const flagged = env.getNumber(FLAG) >= 0;
        const given = env.getNumber('WEBGPU_THRESHOLD_TO_INCREASE_WORKGROUPS_FOR_MATMUL');
        const threshold = given > 0 ? given : (args.backend as { thresholdToIncreaseWorkgroups: number }).thresholdToIncreaseWorkgroups;
        if (flagged || !takesSplitK(a.shape, b.shape, attrs.transposeA === true, attrs.transposeB === true, threshold)) return stockFunc(args);
        env.set(FLAG, SMALL_OUTPUT_PROGRAM);
        try {
          return stockFunc(args);
        } finally {
          env.set(FLAG, -1);
        }
      }) as unknown as tf.KernelFunc;
    },
  };
}

export const batchMatMulKernel = deterministic('BatchMatMul');
export const fusedMatMulKernel = deterministic('_FusedMatMul');
