import { describe, expect, it } from 'vitest';
import { WeightGuard } from '../src/worker/weight-guard';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('WeightGuard', () => {
  it('keeps reads out of a perturbation and a perturbation out of reads', async () => {
    const g = new WeightGuard();
    const log: string[] = [];
    let shifted = false;
    const perturb = () =>
      g.perturb(async () => {
        shifted = true;
        log.push('shift');
        await tick();
        shifted = false;
        log.push('restore');
      });
    const read = (name: string) =>
      g.read(async () => {
        log.push(`${name} sees ${shifted ? 'shifted' : 'trained'}`);
        await tick();
        log.push(`${name} sees ${shifted ? 'shifted' : 'trained'}`);
      });
    const a = read('a');
    const p = perturb();
    // Reads may overlap each other; the perturbation waits for both.
    const b = read('b');
    while (!log.includes('shift')) await tick();
    // A read that starts while the weights are shifted waits for them to be restored.
    const c = read('c');
    await Promise.all([a, p, b, c]);
    expect(log).toEqual(['a sees trained', 'b sees trained', 'a sees trained', 'b sees trained', 'shift', 'restore', 'c sees trained', 'c sees trained']);
    await g.settled();
  });

  it('settles only after readers and writers have finished, and a failed one does not block the next', async () => {
    const g = new WeightGuard();
    let done = false;
    const r = g.read(async () => {
      await tick();
      done = true;
    });
    await g.settled();
    expect(done).toBe(true);
    await r;
    await expect(g.perturb(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await g.read(async () => 7)).toBe(7);
  });
});
