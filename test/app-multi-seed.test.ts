import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type PlaygroundConfig } from '../src/config/playground-config';
import type { RunId } from '../src/config/run-config';
import { encodeConfig } from '../src/config/url-hash';
import type { BackendReport } from '../src/engine/backend/types';
import type { EvalMetrics } from '../src/engine/train/metrics';
import { metricsJson } from '../src/export/metrics-export';
import { multiSeedJson } from '../src/export/multi-seed-export';
import { createRepeatRunner, type PairPool } from '../src/app/multi-seed-runner';
import {
  finishedPairs,
  SEED_COUNT,
  seedCountProblem,
  seedGain,
  seedInTraining,
  shownSeed,
  useMultiSeed,
  type RunOutcome,
} from '../src/store/multi-seed-store';
import { usePlayground, type RunView } from '../src/store/playground-store';
import { runOutcome } from '../src/store/run-outcome';
import type { WorkerEvent } from '../src/worker/protocol';

const ms = () => useMultiSeed.getState();
const page = () => usePlayground.getState();
const ok = (accuracy: number): RunOutcome => ({ ok: true, accuracy, step: 300, samples: 10_000 });
const diverged: RunOutcome = { ok: false, kind: 'diverged', reason: 'training diverged at step 12' };
const config = (over: Partial<PlaygroundConfig> = {}): PlaygroundConfig => ({ ...DEFAULT_CONFIG, seed: 3, ...over });

const evalAt = (step: number, accuracy: number, samples = 10_000): EvalMetrics => ({
  step,
  split: 'test',
  accuracy,
  loss: 1 - accuracy,
  samples,
  teacherAccuracy: null,
  agreement: null,
});

beforeEach(() => {
  ms().clear();
  useMultiSeed.setState({ count: SEED_COUNT.default });
});

describe('seedCountProblem', () => {
  it('takes whole numbers from 2 to 10 whose seeds stay valid', () => {
    for (const n of [2, 5, 10]) expect(seedCountProblem(n, 0)).toBeNull();
    for (const n of [1, 11, 2.5, NaN, -3]) expect(seedCountProblem(n, 0)).toMatch(/whole number from 2 to 10/);
    expect(seedCountProblem(3, 2 ** 31 - 3)).toBeNull();
    expect(seedCountProblem(4, 2 ** 31 - 3)).toMatch(/seeds stop at 2147483647/);
  });

  it('setCount changes N only when it is valid, and says why not', () => {
    expect(ms().count).toBe(5);
    expect(ms().setCount(3, 0)).toBeNull();
    expect(ms().count).toBe(3);
    expect(ms().setCount(11, 0)).toMatch(/from 2 to 10/);
    expect(ms().setCount(NaN, 0)).toMatch(/whole number/);
    expect(ms().count).toBe(3);
  });
});

describe('the multi-seed store', () => {
  it('queues seeds s … s+N−1 and moves on once both runs of a seed ended', () => {
    ms().setCount(3, 3);
    expect(ms().begin(config(), 'seed=3')).toBe(3);
    expect(ms().plan!.seeds).toEqual([3, 4, 5]);
    expect(seedInTraining(ms())).toEqual({ seed: 3, index: 1, of: 3 });
    ms().record('lsq', ok(0.8));
    // One run ended: the seed is still in training.
    expect(seedInTraining(ms())).toEqual({ seed: 3, index: 1, of: 3 });
    ms().record('lsq+cr', ok(0.82));
    expect(seedInTraining(ms())).toEqual({ seed: 4, index: 2, of: 3 });
    expect(finishedPairs(ms()).map((p) => p.seed)).toEqual([3]);
    ms().record('lsq+cr', ok(0.81));
    ms().record('lsq', ok(0.8));
    ms().record('lsq', ok(0.79));
    ms().record('lsq+cr', ok(0.79));
    expect(ms().status).toBe('finished');
    expect(seedInTraining(ms())).toBeNull();
    expect(finishedPairs(ms()).map((p) => p.seed)).toEqual([3, 4, 5]);
    // The views keep the last seed's runs.
    expect(shownSeed(ms())).toBe(5);
  });

  it('ignores a second report of a run and reports after the end', () => {
    ms().setCount(2, 0);
    ms().begin(config({ seed: 0 }), '');
    ms().record('lsq', ok(0.8));
    ms().record('lsq', ok(0.1));
    expect(ms().pairs[0].lsq).toEqual(ok(0.8));
    ms().record('lsq+cr', ok(0.8));
    ms().record('lsq', ok(0.8));
    ms().record('lsq+cr', ok(0.8));
    expect(ms().status).toBe('finished');
    ms().record('lsq', ok(0.5));
    expect(ms().pairs).toHaveLength(2);
  });

  it('a failed run ends its seed, which is left out of the paired gain', () => {
    ms().setCount(3, 0);
    ms().begin(config({ seed: 0 }), '');
    ms().record('lsq', ok(0.8));
    ms().record('lsq+cr', ok(0.81));
    ms().record('lsq+cr', diverged);
    ms().record('lsq', ok(0.78));
    expect(seedInTraining(ms())?.seed).toBe(2);
    ms().record('lsq', ok(0.79));
    ms().record('lsq+cr', ok(0.82));
    expect(ms().status).toBe('finished');
    expect(finishedPairs(ms())).toHaveLength(3);
    const g = seedGain(ms())!;
    expect(g.n).toBe(2);
    expect(g.diffs[0]).toBeCloseTo(1, 9);
    expect(g.diffs[1]).toBeCloseTo(3, 9);
  });

  it('the paired gain is in points: mean, Student-t interval and wins', () => {
    ms().setCount(3, 0);
    ms().begin(config({ seed: 0 }), '');
    // Differences 1, 2, 0 points: mean 1, sd 1, t(2) = 4.303 → 1 ± 4.303/√3 = [−1.484, 3.484].
    for (const [a, b] of [
      [0.8, 0.81],
      [0.81, 0.83],
      [0.79, 0.79],
    ]) {
      ms().record('lsq', ok(a));
      ms().record('lsq+cr', ok(b));
    }
    const g = seedGain(ms())!;
    expect(g.mean).toBeCloseTo(1, 9);
    expect(g.std).toBeCloseTo(1, 9);
    expect(g.interval![0]).toBeCloseTo(1 - 4.303 / Math.sqrt(3), 6);
    expect(g.interval![1]).toBeCloseTo(1 + 4.303 / Math.sqrt(3), 6);
    expect([g.wins, g.losses]).toEqual([2, 0]);
    expect(g.withinNoise).toBe(true);
  });

  it('stop keeps the finished seeds and drops the one in training; clear forgets them', () => {
    ms().begin(config({ seed: 0 }), '');
    ms().record('lsq', ok(0.8));
    ms().record('lsq+cr', ok(0.81));
    ms().record('lsq', ok(0.8));
    ms().stop();
    expect(ms().status).toBe('stopped');
    expect(ms().pairs.map((p) => p.seed)).toEqual([0]);
    expect(seedInTraining(ms())).toBeNull();
    expect(shownSeed(ms())).toBeNull();
    // A late report of the dropped seed changes nothing.
    ms().record('lsq+cr', ok(0.9));
    expect(ms().pairs).toHaveLength(1);
    ms().clear();
    expect(ms()).toMatchObject({ status: 'idle', plan: null, pairs: [] });
    expect(seedGain(ms())).toBeNull();
  });
});

describe('runOutcome', () => {
  const view = (over: Partial<RunView>): RunView => ({ ...page().runs.lsq!, totalSteps: 300, ...over });
  beforeEach(() => page().resetRuns(['lsq']));

  it('a finished run gives the evaluation after its last step', () => {
    expect(runOutcome(view({ phase: 'done', evals: [evalAt(100, 0.9, 1000), evalAt(300, 0.8)] }))).toEqual({ ok: true, accuracy: 0.8, step: 300, samples: 10_000 });
    expect(runOutcome(view({ phase: 'done', evals: [evalAt(100, 0.9, 1000)] }))).toMatchObject({ ok: false, kind: 'failed' });
  });

  it('a failed run, or an error that left it waiting, ends it; a live one has no outcome yet', () => {
    expect(runOutcome(view({ phase: 'failed', error: { kind: 'crashed', message: 'gone' } }))).toEqual({ ok: false, kind: 'crashed', reason: 'gone' });
    expect(runOutcome(view({ phase: 'ready', error: { kind: 'failed', message: 'no data' } }))).toEqual({ ok: false, kind: 'failed', reason: 'no data' });
    for (const phase of ['idle', 'ready', 'compiling', 'running'] as const) expect(runOutcome(view({ phase }))).toBeNull();
    expect(runOutcome(undefined)).toBeNull();
  });
});

describe('the repetition runner', () => {
  const report: BackendReport = { name: 'wasm', adapter: null, detail: '', fallbacks: [] };
  let calls: { seed: number; ids: readonly RunId[]; start: boolean; fresh: readonly RunId[] }[];
  let resets: number;
  let stopWatching: () => void;
  const pool: PairPool = {
    // As run-pool does: a clean view (backend kept unless the Worker is new), then the Worker is configured.
    configureRuns: (c, ids, opts) => {
      calls.push({ seed: c.seed, ids, start: opts.start, fresh: opts.fresh ?? [] });
      for (const id of ids) page().resetRun(id, !(opts.fresh ?? []).includes(id));
    },
    reset: () => {
      resets++;
      page().resetRuns(Object.keys(page().runs) as RunId[]);
    },
  };
  const runner = createRepeatRunner(pool);
  const send = (id: RunId, ...events: WorkerEvent[]) => page().applyEvents(events.map((e) => [id, e] as const));
  const finish = (id: RunId, accuracy: number) =>
    send(id, { type: 'phase', phase: 'running', step: 1, totalSteps: 300 }, { type: 'eval', metrics: evalAt(300, accuracy) }, { type: 'phase', phase: 'done', step: 300, totalSteps: 300 });

  beforeEach(() => {
    calls = [];
    resets = 0;
    page().replaceConfig(config({ seed: 7 }), []);
    page().resetRuns([]);
    page().resetRuns(['lsq', 'lsq+cr']);
    for (const id of ['lsq', 'lsq+cr'] as const) send(id, { type: 'backend', report }, { type: 'phase', phase: 'ready', step: 0, totalSteps: 300 });
    ms().setCount(3, 7);
    stopWatching?.();
    stopWatching = runner.watch();
  });

  it('trains seed after seed in the same Workers, and keeps the last seed on screen', () => {
    expect(runner.start()).toBeNull();
    expect(calls).toEqual([{ seed: 7, ids: ['lsq', 'lsq+cr'], start: true, fresh: [] }]);
    expect(ms().plan!.hash).toBe(encodeConfig(config({ seed: 7 })));
    finish('lsq', 0.8);
    expect(calls).toHaveLength(1);
    finish('lsq+cr', 0.82);
    expect(calls.map((c) => c.seed)).toEqual([7, 8]);
    // The new seed's views start clean: the old "done" does not count for seed 8.
    expect(ms().pairs.at(-1)).toEqual({ seed: 8, lsq: null, 'lsq+cr': null });
    expect(page().runs.lsq!.backend).toEqual(report);
    finish('lsq+cr', 0.8);
    finish('lsq', 0.8);
    finish('lsq', 0.79);
    finish('lsq+cr', 0.8);
    expect(ms().status).toBe('finished');
    expect(calls.map((c) => c.seed)).toEqual([7, 8, 9]);
    expect(seedGain(ms())!.n).toBe(3);
    expect(page().runs.lsq!.phase).toBe('done');
  });

  it('a crashed run fails its seed; the next seed gives it a new Worker', () => {
    runner.start();
    finish('lsq+cr', 0.8);
    send('lsq', { type: 'error', kind: 'crashed', message: 'the training worker crashed: out of memory' });
    expect(ms().pairs[0].lsq).toEqual({ ok: false, kind: 'crashed', reason: 'the training worker crashed: out of memory' });
    expect(calls[1]).toEqual({ seed: 8, ids: ['lsq', 'lsq+cr'], start: true, fresh: ['lsq'] });
    finish('lsq', 0.8);
    send('lsq+cr', { type: 'error', kind: 'diverged', message: 'NaN' });
    // Divergence leaves the Worker usable: no new one.
    expect(calls[2]).toMatchObject({ seed: 9, fresh: [] });
  });

  it('stop keeps finished seeds and puts the pair back on the page seed, not started', () => {
    runner.start();
    finish('lsq', 0.8);
    finish('lsq+cr', 0.81);
    send('lsq', { type: 'phase', phase: 'running', step: 5, totalSteps: 300 });
    runner.stop();
    expect(ms().status).toBe('stopped');
    expect(finishedPairs(ms())).toHaveLength(1);
    expect(calls.at(-1)).toEqual({ seed: 7, ids: ['lsq', 'lsq+cr'], start: false, fresh: [] });
    // Runs ending afterwards are not recorded.
    finish('lsq', 0.5);
    expect(ms().pairs).toHaveLength(1);
    runner.stop();
    expect(calls).toHaveLength(3);
  });

  it('reset forgets the results and brings every run back to the page seed', () => {
    runner.start();
    for (let i = 0; i < 3; i++) {
      finish('lsq', 0.8);
      finish('lsq+cr', 0.81);
    }
    expect(ms().status).toBe('finished');
    runner.reset();
    expect(ms().status).toBe('idle');
    expect(calls.at(-1)).toMatchObject({ seed: 7, start: false });
    expect(resets).toBe(1);
    // Without a repetition holding another seed, reset is the plain one.
    const before = calls.length;
    runner.reset();
    expect(calls).toHaveLength(before);
    expect(resets).toBe(2);
  });

  it('a changed setting ends the repetition and forgets its results', () => {
    runner.start();
    finish('lsq', 0.8);
    finish('lsq+cr', 0.81);
    page().setConfig({ lr: 0.01 });
    expect(ms().status).toBe('idle');
    expect(ms().pairs).toEqual([]);
  });

  it('will not start without the LSQ+CR run or with an N the seed cannot take', () => {
    page().replaceConfig(config({ seed: 7, cr: false }), []);
    expect(runner.start()).toMatch(/turn CR on/);
    page().replaceConfig(config({ seed: 2 ** 31 - 2 }), []);
    expect(runner.start()).toMatch(/seeds stop at/);
    expect(calls).toEqual([]);
    expect(ms().status).toBe('idle');
  });
});

describe('the JSON export of a repetition', () => {
  it('has the setup link, each finished pair and the paired gain in points; null without a repetition', () => {
    expect(multiSeedJson(ms(), 'https://example.test/')).toBeNull();
    const c = config({ seed: 0 });
    ms().setCount(3, 0);
    ms().begin(c, encodeConfig(c));
    ms().record('lsq', ok(0.8));
    ms().record('lsq+cr', ok(0.815));
    ms().record('lsq', diverged);
    ms().record('lsq+cr', ok(0.8));
    ms().record('lsq', ok(0.8));
    ms().stop();
    const json = multiSeedJson(ms(), 'https://example.test/')!;
    expect(json.link).toBe(`https://example.test/#${encodeConfig(c)}`);
    expect(json.config).toEqual(c);
    expect(json.status).toBe('stopped');
    expect(json.seeds).toEqual([0, 1, 2]);
    expect(json.pairs.map((p) => p.seed)).toEqual([0, 1]);
    expect(json.pairs[0].lsq).toEqual({ testAccuracy: 0.8, step: 300, samples: 10_000 });
    expect(json.pairs[0].gainPoints).toBeCloseTo(1.5, 9);
    expect(json.pairs[1].lsq).toEqual({ failed: 'diverged', reason: 'training diverged at step 12' });
    expect(json.pairs[1].gainPoints).toBeNull();
    expect(json.gain).toMatchObject({ n: 1, interval: null, wins: 1, withinNoise: true });
    expect(json.gain!.mean).toBeCloseTo(1.5, 9);
    const all = metricsJson(c, json.link, [], { runsSeed: 2, multiSeed: json });
    expect(all.runsSeed).toBe(2);
    expect(JSON.parse(JSON.stringify(all)).multiSeed).toEqual(json);
    expect(metricsJson(c, json.link, []).multiSeed).toBeNull();
  });
});
