/**
 * `auto` on a machine with more than one fast backend: times the configured run on each candidate (once per
 * workload and machine, remembered), switches to the fastest and says why. Runs between commands, before a
 * session exists, so no tensor lives on the backend it leaves.
 */
import { chooseByTiming, timeTrainingSteps, type BackendReport, type BackendChoice, type Dataset, type TrainConfigInput } from '../engine';
import { describeAdapter, type BackendMeasurement } from '../engine/vocabulary/backends';
import type { TimingStore } from './backend-timing-store';

export interface TimingEnv {
  initBackend(choice: BackendChoice, wasmThreads?: number): Promise<BackendReport>;
  store: TimingStore;
  /** Runs `fn` while no other Worker of the page times backends (two timings at once would slow each other). */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  cores: number;
  wasmThreads?: number;
}

/** What is timed: the model, method and batch of a run on a dataset of this size. */
export function workloadOf(ds: Dataset, config: TrainConfigInput): string {
  return `${config.model ?? 'mlp'} ${config.method ?? 'lsq'}, batch ${config.batchSize ?? 64}, ${ds.height}×${ds.width}×${ds.channels}`;
}

function keyOf(report: BackendReport, workload: string, env: TimingEnv): string {
  const adapter = report.adapter ? describeAdapter(report.adapter) : 'no adapter';
  return `${adapter} | ${env.cores} cores, ${env.wasmThreads ?? 1} wasm threads | ${workload}`;
}

/**
 * The backend report after choosing by timing: the chosen backend is the active one when this resolves. `report`
 * is auto's first pick, whose `candidates` are timed; without two candidates it is returned as it is.
 */
export async function chooseBackendByTiming(report: BackendReport, ds: Dataset, config: TrainConfigInput, env: TimingEnv): Promise<BackendReport> {
  const candidates = report.candidates ?? [];
  if (candidates.length < 2) return report;
  const workload = workloadOf(ds, config);
  const key = keyOf(report, workload, env);
  const measured: BackendMeasurement = await env.exclusive(async () => {
    const known = await env.store.get(key);
    if (known && candidates.includes(known.chosen)) return { ...known, remembered: true };
    const m = await chooseByTiming(candidates, workload, async (b) => {
      const r = await env.initBackend(b, env.wasmThreads);
      if (r.name !== b) throw new Error(`${b} did not start (${r.fallbacks.join('; ')})`);
      return timeTrainingSteps(ds, config);
    });
    await env.store.set(key, m);
    return m;
  });
  const chosen = await env.initBackend(measured.chosen, env.wasmThreads);
  return { ...chosen, fallbacks: report.fallbacks, adapter: chosen.adapter ?? report.adapter, candidates, measured };
}
