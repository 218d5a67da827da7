/**
 * Where the time of some steps goes, per kernel, from tf.profile. On webgpu with the timestamp-query feature each
 * kernel's entry is the GPU time of the compute passes it dispatched itself (the backend times every dispatch in
 * a pass of its own while profiling, so launches are not batched then); kernels called from inside another
 * kernel are listed on their own and not counted twice. Without timestamp-query the backend reports zeros. On
 * the CPU backends the time is wall-clock per kernel call, and a composite entry includes what it called.
 */
import * as tf from '@tensorflow/tfjs';

export interface KernelTime {
  name: string;
  ms: number;
  /** Times the kernel was called. */
  calls: number;
  /** GPU programs it dispatched (webgpu only; 0 elsewhere). */
  launches: number;
}

export interface KernelProfile {
  /** Sorted by time, largest first. */
  kernels: KernelTime[];
  totalMs: number;
  totalLaunches: number;
  /** What the times are. */
  timing: 'gpu-timestamps' | 'unavailable' | 'wall-clock';
}

function timingKind(): KernelProfile['timing'] {
  if (tf.getBackend() !== 'webgpu') return 'wall-clock';
  const backend = tf.backend() as unknown as { supportTimestampQuery?: boolean };
  return backend.supportTimestampQuery ? 'gpu-timestamps' : 'unavailable';
}

/** Runs `work` under tf.profile and adds up the time of each kernel name. */
export async function profileKernels(work: () => Promise<void>): Promise<KernelProfile> {
  const info = await tf.profile(async () => {
    await work();
  });
  const byName = new Map<string, KernelTime>();
  for (const k of info.kernels) {
    const name = k.name || '(unnamed scope)';
    const row = byName.get(name) ?? { name, ms: 0, calls: 0, launches: 0 };
    row.ms += Number(k.kernelTimeMs) || 0;
    row.calls += 1;
    // The webgpu backend lists one "Program: ms" item per dispatch it timed.
    const extra = typeof k.extraInfo === 'string' ? k.extraInfo : '';
    if (extra.includes(':')) row.launches += extra.split(', ').length;
    byName.set(name, row);
  }
  const kernels = [...byName.values()].sort((a, b) => b.ms - a.ms || b.calls - a.calls);
  return {
    kernels,
    totalMs: kernels.reduce((s, k) => s + k.ms, 0),
    totalLaunches: kernels.reduce((s, k) => s + k.launches, 0),
    timing: timingKind(),
  };
}
