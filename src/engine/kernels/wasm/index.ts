/**
 * The project's kernels for the wasm backend, both always on: Conv2DBackpropFilter, which TF.js's wasm backend
 * lacks, and a Conv2DBackpropInput built on XNNPACK convolutions. No swappable set and no fused kernels: the ops'
 * fallbacks already run in the backend's compiled code, and a kernel written in JavaScript would copy each tensor
 * out of wasm memory and back.
 */
import type { ProjectKernel } from '../project-kernel';
import { conv2dBackpropFilterWasmKernel } from './conv2d-backprop-filter';
import { conv2dBackpropInputWasmKernel } from './conv2d-backprop-input';

export const wasmKernels: readonly ProjectKernel[] = [conv2dBackpropFilterWasmKernel, conv2dBackpropInputWasmKernel];
