/**
 * A soak run of the training host on webgpu (Dawn for Node on SwiftShader): 500 steps of a tiny LSQ run with a
 * checkpoint every 50 ms. After warm-up the live tensors, the GPU buffers the backend holds and the JS heap stay
 * flat; the figures are printed.
 */
import { describe, expect, it } from 'vitest';
import { useNodeWebGPU } from './helpers/node-webgpu';
import { soak, soakReport } from './helpers/soak';

const dawn = useNodeWebGPU({ selectBackend: false });
const STEPS = 500;
const WARM_UP = 100;

describe('a long run in the training host (webgpu)', () => {
  it(`${STEPS} steps: tensors, GPU buffers and heap flat after warm-up`, async () => {
    const { samples, checkpoints, errors, leftOver } = await soak('webgpu', STEPS, 50, 'lsq');
    console.log(soakReport(STEPS, samples, checkpoints));
    expect(errors).toEqual([]);
    expect(dawn.shaderWarnings()).toEqual([]);
    // The last step's full test evaluation pools buffers of its own sizes: the samples before it are the training's.
    const after = samples.filter((s) => s.step >= WARM_UP && s.step < STEPS);
    const tensors = after.map((s) => s.tensors);
    expect(Math.max(...tensors) - Math.min(...tensors)).toBeLessThanOrEqual(2);
    const buffers = after.map((s) => s.gpuBuffers!);
    expect(Math.max(...buffers) - Math.min(...buffers)).toBeLessThanOrEqual(8);
    expect(after.at(-1)!.gpuMb! - after[0].gpuMb!).toBeLessThan(1);
    expect(after.at(-1)!.heapMb - after[0].heapMb).toBeLessThan(4);
    expect(leftOver).toBe(0);
  }, 400_000);
});
