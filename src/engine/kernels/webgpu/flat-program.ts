import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

export const FLAT_WORKGROUP = 64;

/**
 * What the project's one-thread-per-output-element programs share: a 1-D dispatch over the output (divided by
 * `outputComponent` for vec4 programs), bounds-checked in WGSL with `uniforms.size`.
 */
export abstract class FlatProgram implements WebGPUProgram {
  readonly workgroupSize: [number, number, number] = [FLAT_WORKGROUP, 1, 1];
  readonly size = true;
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  abstract readonly variableNames: string[];
  abstract readonly shaderKey: string;

  constructor(
    readonly outputShape: number[],
    components = 1,
  ) {
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    const total = outputShape.reduce((a, b) => a * b, 1);
    this.dispatch = [Math.ceil(total / components / FLAT_WORKGROUP), 1, 1];
  }

  abstract getUserCode(): string;
}
