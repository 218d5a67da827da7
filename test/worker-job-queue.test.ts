/** The training host's parts that order its work: the job queue, interruptible waits, the weight guard, the dataset cache. */
import { describe, expect, it } from 'vitest';
import { SHIPPED_DATASET } from '../src/config/playground-config';
import type { Dataset } from '../src/engine/data/types';
import { DatasetCache } from '../src/worker/dataset-cache';
import { interruptible, JobInterrupted, JobQueue } from '../src/worker/job-queue';
import { WeightGuard } from '../src/worker/weight-guard';
import { syntheticDataset } from './helpers/synthetic-dataset';

const tick = () => new Promise((r) => setTimeout(r, 2));

describe('JobQueue', () => {
  it('runs jobs one at a time in the order asked; a failure rejects its own job only', async () => {
    const q = new JobQueue();
    const log: string[] = [];
    const job = (name: string, fail = false) =>
      q.enqueue(async () => {
        log.push(`${name} start`);
        await tick();
        log.push(`${name} end`);
        if (fail) throw new Error(name);
      });
    const a = job('a');
    const b = job('b', true);
    const c = job('c');
    await a;
    await expect(b).rejects.toThrow('b');
    await c;
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('interrupt raises the signal of every job asked for so far, running or waiting, and of none asked later', async () => {
    const q = new JobQueue();
    const seen: [string, boolean, boolean][] = [];
    const job = (name: string) =>
      q.enqueue(async (ctx) => {
        await tick();
        seen.push([name, ctx.signal.aborted, ctx.dropped]);
      });
    const jobs = [job('running'), job('waiting')];
    await Promise.resolve();
    q.interrupt();
    jobs.push(job('later'));
    await Promise.all(jobs);
    expect(seen).toEqual([
      ['running', true, false],
      ['waiting', true, false],
      ['later', false, false],
    ]);
  });

  it('drop also marks them dropped; a job dropped after an interrupt reads as dropped', async () => {
    const q = new JobQueue();
    const seen: [string, boolean, boolean][] = [];
    const job = (name: string) =>
      q.enqueue(async (ctx) => {
        await tick();
        seen.push([name, ctx.signal.aborted, ctx.dropped]);
      });
    const jobs = [job('a')];
    q.interrupt();
    jobs.push(job('b'));
    q.drop();
    jobs.push(job('c'));
    await Promise.all(jobs);
    expect(seen).toEqual([
      ['a', true, true],
      ['b', true, true],
      ['c', false, false],
    ]);
  });

  it('a job that is not pausable ignores an interrupt and still stops at a drop', async () => {
    const q = new JobQueue();
    const seen: [string, boolean, boolean][] = [];
    const job = (name: string, pausable: boolean) =>
      q.enqueue(
        async (ctx) => {
          await tick();
          seen.push([name, ctx.signal.aborted, ctx.dropped]);
        },
        { pausable },
      );
    const jobs = [job('restore', false), job('train', true)];
    q.interrupt();
    jobs.push(job('restore again', false));
    q.drop();
    await Promise.all(jobs);
    expect(seen).toEqual([
      ['restore', true, true],
      ['train', true, true],
      ['restore again', true, true],
    ]);
    const kept = job('kept', false);
    q.interrupt();
    await kept;
    expect(seen.at(-1)).toEqual(['kept', false, false]);
  });
});

describe('interruptible', () => {
  it('rejects with JobInterrupted as soon as the signal is raised, or at once if it was; else passes the result on', async () => {
    const c = new AbortController();
    let settle!: (v: number) => void;
    const slow = new Promise<number>((r) => (settle = r));
    const wait = interruptible(slow, c.signal);
    c.abort();
    await expect(wait).rejects.toBeInstanceOf(JobInterrupted);
    settle(1);
    await expect(interruptible(Promise.resolve(2), c.signal)).rejects.toBeInstanceOf(JobInterrupted);
    const fresh = new AbortController();
    await expect(interruptible(Promise.resolve(3), fresh.signal)).resolves.toBe(3);
    await expect(interruptible(Promise.reject(new Error('404')), fresh.signal)).rejects.toThrow('404');
  });
});

describe('WeightGuard.settled', () => {
  it('waits for a read that is still waiting for a perturbation to end', async () => {
    const g = new WeightGuard();
    const log: string[] = [];
    let restore!: () => void;
    const perturb = g.perturb(() => new Promise<void>((r) => (restore = r)));
    const read = g.read(async () => {
      log.push('read');
      await tick();
      log.push('read done');
    });
    await tick();
    expect(log).toEqual([]);
    restore();
    await perturb;
    // A reset waiting here must not free the model between the perturbation's end and the read's start.
    await g.settled();
    log.push('settled');
    await read;
    expect(log).toEqual(['read', 'read done', 'settled']);
  });
});

describe('DatasetCache', () => {
  const ds = syntheticDataset({ height: 2, width: 2, channels: 1, classes: 2, train: 4, test: 2 });

  it('downloads the shipped dataset once for every caller waiting, and again after a failure', async () => {
    let loads = 0;
    let fail = true;
    let waits = 0;
    const cache = new DatasetCache(async () => {
      loads++;
      await tick();
      if (fail) throw new Error('HTTP 503');
      return ds;
    });
    const first = [cache.get(SHIPPED_DATASET, () => waits++), cache.get(SHIPPED_DATASET, () => waits++)];
    await expect(first[0]).rejects.toThrow('503');
    await expect(first[1]).rejects.toThrow('503');
    expect(loads).toBe(1);
    fail = false;
    const [a, b] = await Promise.all([cache.get(SHIPPED_DATASET, () => waits++), cache.get(SHIPPED_DATASET, () => waits++)]);
    expect(a).toBe(ds);
    expect(b).toBe(ds);
    expect(loads).toBe(2);
    // Loaded: no wait, no download.
    expect(await cache.get(SHIPPED_DATASET, () => waits++)).toBe(ds);
    expect([loads, waits]).toEqual([2, 4]);
  });

  it('keeps the shipped dataset, the one in use and the one just added', async () => {
    const cache = new DatasetCache(async () => ds);
    await cache.get(SHIPPED_DATASET, () => undefined);
    const other: Dataset = { ...ds, name: 'other' };
    cache.add('a', other);
    cache.add('b', other);
    cache.keepOnly('b');
    cache.add('c', other);
    await expect(cache.get('a', () => undefined)).rejects.toThrow(/a is not shipped/);
    expect(await cache.get('b', () => undefined)).toBe(other);
    expect(await cache.get('c', () => undefined)).toBe(other);
    expect(await cache.get(SHIPPED_DATASET, () => undefined)).toBe(ds);
  });
});
