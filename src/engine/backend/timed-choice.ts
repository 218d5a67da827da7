import type { BackendMeasurement, BackendName, BackendTiming } from '../vocabulary/backends';

export { describeTimings } from '../vocabulary/backends';

/**
 * Times each candidate with `time` (ms per step; it may throw) and takes the fastest. A candidate that fails is
 * reported with its reason and never taken; when every one fails the first stays, so a run can still start.
 */
export async function chooseByTiming(
  candidates: readonly BackendName[],
  workload: string,
  time: (backend: BackendName) => Promise<number>,
): Promise<BackendMeasurement> {
  if (candidates.length === 0) throw new RangeError('no backend to time');
  const timings: BackendTiming[] = [];
  for (const backend of candidates) {
    try {
      const ms = await time(backend);
      timings.push(Number.isFinite(ms) && ms > 0 ? { backend, msPerStep: ms } : { backend, msPerStep: null, error: `timing gave ${ms}` });
    } catch (e) {
      timings.push({ backend, msPerStep: null, error: e instanceof Error ? e.message.split('\n')[0] : String(e) });
    }
  }
  const timed = timings.filter((t): t is BackendTiming & { msPerStep: number } => t.msPerStep !== null);
  const at = Date.now();
  if (timed.length === 0) return { workload, timings, chosen: candidates[0], reason: `no backend could be timed; ${candidates[0]} kept`, remembered: false, at };
  const best = timed.reduce((a, b) => (b.msPerStep < a.msPerStep ? b : a));
  const others = timed.filter((t) => t !== best);
  const reason =
    others.length === 0
      ? `the only backend that could be timed`
      : `${others.map((o) => `${(o.msPerStep / best.msPerStep).toFixed(1)}× faster than ${o.backend}`).join(', ')} on ${workload}`;
  return { workload, timings, chosen: best.backend, reason, remembered: false, at };
}
