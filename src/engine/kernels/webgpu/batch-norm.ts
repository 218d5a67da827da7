/**
 * BatchNorm over the last axis in a few launches: the batch statistics as two per-channel reductions (mean, then
 * the mean of squared deviations, the two passes tf.moments makes), the normalisation and affine map in one
 * elementwise pass, and the backward as two per-channel reductions (dβ, dγ) plus one elementwise pass for dx.
 * The broadcasting ops they replace take about twelve launches forward and twenty backward per layer. The running
 * averages take one launch each, in the order of the ops they replace (Mul by N/(N − 1), Mul, Mul, Add).
 *
 * A workgroup reduces one channel in a fixed order, so results do not depend on scheduling.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { BATCH_NORM_APPLY, BATCH_NORM_GRAD, BATCH_NORM_RUNNING, BATCH_NORM_STATS, type BatchNormAttrs, type BatchNormRunningAttrs } from '../contracts';
import { fusedKernel } from '../project-kernel';
import { workgroupSum, workgroupSumDeclaration } from './workgroup-sum';
import { FlatProgram } from './flat-program';

const WORKGROUP = 256;

/** x̂ of element `index`, as Sub, Add, Rsqrt and Mul compute it. */
const XHAT_SNIPPET = `
  let c = index % uniforms.channels;
  let xhat = (x[index] - mean[c]) * inverseSqrt(variance[c] + uniforms.epsilon);
`;

/** One workgroup per channel: term(index) summed over the channel's elements, times `scale`. Output [C]. */
class ChannelSumProgram implements WebGPUProgram {
  readonly workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly outputShape: number[];
  readonly shaderKey: string;

  constructor(
    readonly variableNames: string[],
    readonly uniforms: string,
    name: string,
    private readonly term: string,
    channels: number,
  ) {
    this.outputShape = [channels];
    this.dispatchLayout = { x: [0] };
    this.dispatch = [channels, 1, 1];
    this.shaderKey = `qatBatchNorm${name}`;
  }

  getUserCode(): string {
    return `
      ${workgroupSumDeclaration(WORKGROUP)}

      fn term(index : i32) -> f32 {
        ${this.term}
      }

      fn main(unused : i32) {
        let t = i32(localIndex);
        let ch = i32(workgroupId.x);
        var acc = 0.0;
        for (var j = t; j < uniforms.perChannel; j = j + ${WORKGROUP}) {
          acc = acc + term(j * uniforms.channels + ch);
        }
        ${workgroupSum(WORKGROUP)}
        if (t == 0) {
          setOutputAtIndex(ch, sums[0] * uniforms.scale);
        }
      }
    `;
  }
}

const SUM_UNIFORMS = 'channels : i32, perChannel : i32, scale : f32,';

class BatchNormApplyProgram extends FlatProgram {
  readonly variableNames = ['x', 'mean', 'variance', 'gamma', 'beta'];
  readonly uniforms = 'channels : i32, epsilon : f32,';
  readonly shaderKey = 'qatBatchNormApply';

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let c = index % uniforms.channels;
          let scale = inverseSqrt(variance[c] + uniforms.epsilon) * gamma[c];
          setOutputAtIndex(index, (x[index] - mean[c]) * scale + beta[c]);
        }
      }
    `;
  }
}

class BatchNormDxProgram extends FlatProgram {
  readonly variableNames = ['dy', 'x', 'mean', 'variance', 'gamma', 'dgamma', 'dbeta'];
  readonly uniforms = 'channels : i32, epsilon : f32, count : f32,';
  readonly shaderKey = 'qatBatchNormDx';

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${XHAT_SNIPPET}
          let g = gamma[c] * inverseSqrt(variance[c] + uniforms.epsilon);
          setOutputAtIndex(index, g * (dy[index] - dbeta[c] / uniforms.count - xhat * dgamma[c] / uniforms.count));
        }
      }
    `;
  }
}

class BatchNormRunningProgram extends FlatProgram {
  readonly variableNames = ['running', 'batch'];
  readonly uniforms = 'keep : f32, momentum : f32, scale : f32,';
  readonly shaderKey = 'qatBatchNormRunning';

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          setOutputAtIndex(index, running[index] * uniforms.keep + (batch[index] * uniforms.scale) * uniforms.momentum);
        }
      }
    `;
  }
}

export function runBatchNormRunning(backend: WebGPUBackend, running: tf.TensorInfo, batch: tf.TensorInfo, attrs: BatchNormRunningAttrs): tf.TensorInfo {
  return backend.runWebGPUProgram(new BatchNormRunningProgram(running.shape), [running, batch], 'float32', [
    { type: 'float32', data: [1 - attrs.momentum] },
    { type: 'float32', data: [attrs.momentum] },
    { type: 'float32', data: [attrs.scale] },
  ]);
}

function layout(x: tf.TensorInfo): { channels: number; perChannel: number } {
  const channels = x.shape[x.shape.length - 1];
  return { channels, perChannel: x.shape.reduce((a, b) => a * b, 1) / channels };
}

function sumUniforms(channels: number, perChannel: number, scale: number, epsilon?: number) {
  const u = [
    { type: 'int32', data: [channels] },
    { type: 'int32', data: [perChannel] },
    { type: 'float32', data: [scale] },
  ];
  return epsilon === undefined ? u : [...u, { type: 'float32', data: [epsilon] }];
}

export function runBatchNormStats(backend: WebGPUBackend, x: tf.TensorInfo): [tf.TensorInfo, tf.TensorInfo] {
  const { channels, perChannel } = layout(x);
  const u = sumUniforms(channels, perChannel, 1 / perChannel);
  const mean = backend.runWebGPUProgram(new ChannelSumProgram(['x'], SUM_UNIFORMS, 'Mean', 'return x[index];', channels), [x], 'float32', u);
  const variance = backend.runWebGPUProgram(
    new ChannelSumProgram(['x', 'mean'], SUM_UNIFORMS, 'Variance', 'let d = x[index] - mean[index % uniforms.channels]; return d * d;', channels),
    [x, mean],
    'float32',
    u,
  );
  return [mean, variance];
}

export function runBatchNormApply(
  backend: WebGPUBackend,
  inputs: { x: tf.TensorInfo; mean: tf.TensorInfo; variance: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo },
  attrs: BatchNormAttrs,
): tf.TensorInfo {
  const { x, mean, variance, gamma, beta } = inputs;
  return backend.runWebGPUProgram(new BatchNormApplyProgram(x.shape), [x, mean, variance, gamma, beta], 'float32', [
    { type: 'int32', data: [layout(x).channels] },
    { type: 'float32', data: [attrs.epsilon] },
  ]);
}

export function runBatchNormGrad(
  backend: WebGPUBackend,
  inputs: { dy: tf.TensorInfo; x: tf.TensorInfo; mean: tf.TensorInfo; variance: tf.TensorInfo; gamma: tf.TensorInfo },
  attrs: BatchNormAttrs,
): [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo] {
  const { dy, x, mean, variance, gamma } = inputs;
  const { channels, perChannel } = layout(x);
  const u = sumUniforms(channels, perChannel, 1, attrs.epsilon);
  const uniforms = `${SUM_UNIFORMS} epsilon : f32,`;
  const dbeta = backend.runWebGPUProgram(new ChannelSumProgram(['dy'], uniforms, 'DBeta', 'return dy[index];', channels), [dy], 'float32', u);
  const dgamma = backend.runWebGPUProgram(
    new ChannelSumProgram(['dy', 'x', 'mean', 'variance'], uniforms, 'DGamma', `${XHAT_SNIPPET} return dy[index] * xhat;`, channels),
    [dy, x, mean, variance],
    'float32',
    u,
  );
  const dx = backend.runWebGPUProgram(new BatchNormDxProgram(x.shape), [dy, x, mean, variance, gamma, dgamma, dbeta], 'float32', [
    { type: 'int32', data: [channels] },
    { type: 'float32', data: [attrs.epsilon] },
    { type: 'float32', data: [perChannel] },
  ]);
  return [dx, dgamma, dbeta];
}

export const batchNormStatsKernel = fusedKernel(BATCH_NORM_STATS, ({ x }, _attrs, backend: WebGPUBackend) => runBatchNormStats(backend, x));
export const batchNormApplyKernel = fusedKernel(BATCH_NORM_APPLY, (inputs, attrs, backend: WebGPUBackend) => runBatchNormApply(backend, inputs, attrs));
export const batchNormGradKernel = fusedKernel(BATCH_NORM_GRAD, (inputs, attrs, backend: WebGPUBackend) => runBatchNormGrad(backend, inputs, attrs));
export const batchNormRunningKernel = fusedKernel(BATCH_NORM_RUNNING, ({ running, batch }, attrs, backend: WebGPUBackend) =>
  runBatchNormRunning(backend, running, batch, attrs),
);
