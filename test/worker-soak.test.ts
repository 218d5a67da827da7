/**
 * A soak run of the training host (Node, cpu backend): 2,000 steps of a tiny LSQ+CR run with a checkpoint every
 * 50 ms. After warm-up the live tensors and the JS heap (after a forced collection) stay flat; the figures are printed.
 */
import { describe, expect, it } from 'vitest';
import { soak, soakReport } from './helpers/soak';

const STEPS = 2000;
const WARM_UP = 500;

describe('a long run in the training host (cpu)', () => {
  it(`${STEPS} steps: tensors and heap flat after warm-up`, async () => {
    const { samples, checkpoints, errors, leftOver } = await soak('cpu', STEPS, 250);
    console.log(soakReport(STEPS, samples, checkpoints));
    expect(errors).toEqual([]);
    expect(checkpoints).toBeGreaterThan(10);
    const after = samples.filter((s) => s.step >= WARM_UP);
    const tensors = after.map((s) => s.tensors);
    // Every sample is taken between two steps: the same live tensors each time.
    expect(Math.max(...tensors) - Math.min(...tensors)).toBeLessThanOrEqual(2);
    expect(after.at(-1)!.heapMb - after[0].heapMb).toBeLessThan(4);
    expect(leftOver).toBe(0);
  }, 300_000);
});
