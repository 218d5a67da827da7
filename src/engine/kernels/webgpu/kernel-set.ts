/**
 * Which kernels the webgpu backend runs for the hot spots of a training step: TF.js's own ('stock') or this
 * project's WGSL ('custom'). Switching swaps entries of tfjs-core's kernel registry, so op code never changes;
 * the stock configs are remembered on the first switch and put back by 'stock'. Kernels that exist only here
 * (fused LSQ, optimizer and EMA updates) are removed by 'stock', and the code that uses them falls back to
 * plain TF.js ops.
 *
 * The first-maximum MaxPoolGrad is not part of either set: it fixes what the kernel computes, not its speed,
 * and stays registered (see max-pool-grad.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { addKernel, multiplyKernel, subKernel } from './broadcast-binary';
import { conv2dBackpropFilterKernel } from './conv2d-backprop-filter';
import { emaUpdateKernel } from './ema-update';
import { lsqFakeQuantKernel } from './lsq-fake-quant';
import { lsqFakeQuantGradKernel } from './lsq-fake-quant-grad';
import { sgdStepKernel } from './sgd-step';
import { sgdVelocityKernel } from './sgd-velocity';

export const WEBGPU_KERNEL_SETS = ['stock', 'custom'] as const;
export type WebgpuKernelSet = (typeof WEBGPU_KERNEL_SETS)[number];

const BACKEND = 'webgpu';

/** A custom kernel; `make` receives the stock kernel it replaces (if any) so it can fall back to it. */
export interface CustomKernel {
  kernelName: string;
  make(stock: tf.KernelConfig | undefined): tf.KernelFunc;
}

const CUSTOM_KERNELS: readonly CustomKernel[] = [
  conv2dBackpropFilterKernel,
  lsqFakeQuantKernel,
  lsqFakeQuantGradKernel,
  sgdVelocityKernel,
  sgdStepKernel,
  emaUpdateKernel,
  multiplyKernel,
  addKernel,
  subKernel,
];

const stockConfigs = new Map<string, tf.KernelConfig | undefined>();
const customFuncs = new Map<string, tf.KernelFunc>();
let active: WebgpuKernelSet = 'stock';

function unregister(name: string): void {
  if (tf.getKernel(name, BACKEND)) tf.unregisterKernel(name, BACKEND);
}

/** Remembers the stock kernels once, before anything replaces them. */
function captureStock(): void {
  if (stockConfigs.size > 0) return;
  // Capturing before the backend module registered its kernels would record "no stock kernel" for good.
  if (!tf.getKernel('Conv2D', BACKEND)) throw new Error('setWebgpuKernelSet: import @tensorflow/tfjs-backend-webgpu first');
  for (const k of CUSTOM_KERNELS) {
    const stock = tf.getKernel(k.kernelName, BACKEND);
    stockConfigs.set(k.kernelName, stock ? { ...stock } : undefined);
    customFuncs.set(k.kernelName, k.make(stock ? { ...stock } : undefined));
  }
}

/** Selects the kernel set; call after `@tensorflow/tfjs-backend-webgpu` has been imported (it registers its kernels then). */
export function setWebgpuKernelSet(set: WebgpuKernelSet): void {
  captureStock();
  for (const k of CUSTOM_KERNELS) {
    unregister(k.kernelName);
    if (set === 'custom') {
      tf.registerKernel({ kernelName: k.kernelName, backendName: BACKEND, kernelFunc: customFuncs.get(k.kernelName)! });
    } else {
      const stock = stockConfigs.get(k.kernelName);
      if (stock) tf.registerKernel(stock);
    }
  }
  active = set;
}

export function webgpuKernelSet(): WebgpuKernelSet {
  return active;
}
