import type { Browser, Page } from 'playwright-core';

export interface MainThreadWork {
  /** CPU time of the page's main thread per second of the trace (thread time: what waiting for a core does not count). */
  cpuMsPerSecond: number;
  /** The longest task's CPU time, and how many tasks took more CPU than a 60 Hz frame has. */
  longestTaskMs: number;
  tasksOverFrame: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** Records a Chromium trace of `page` while `during` runs (`seconds` long) and sums the CPU time of its main thread's tasks. */
export async function traceMainThread<T>(browser: Browser, page: Page, seconds: number, during: () => Promise<T>): Promise<{ result: T; work: MainThreadWork }> {
  await browser.startTracing(page, { categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  let result: T;
  try {
    result = await during();
  } catch (e) {
    await browser.stopTracing();
    throw e;
  }
  const trace = (await browser.stopTracing()).toString();
  return { result, work: mainThreadWork((JSON.parse(trace) as { traceEvents: TraceEvent[] }).traceEvents, seconds) };
}

function mainThreadWork(events: TraceEvent[], seconds: number): MainThreadWork {
  // The page's renderer main thread: the one that runs its animation frames.
  const frames = events.find((e) => e.name === 'FireAnimationFrame');
  if (!frames) throw new Error('the trace holds no animation frame of the page');
  const all = events
    .filter((e) => e.pid === frames.pid && e.tid === frames.tid && e.ph === 'X' && (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask'))
    .sort((a, b) => a.ts - b.ts);
  // Tasks nest (a task runner's task around the task it runs): count the outermost ones only.
  const tasks: TraceEvent[] = [];
  for (const e of all) if (tasks.length === 0 || e.ts >= tasks[tasks.length - 1].ts + (tasks[tasks.length - 1].dur ?? 0)) tasks.push(e);
  const cpu = tasks.map((e) => (e.tdur ?? 0) / 1000);
  return {
    cpuMsPerSecond: cpu.reduce((a, b) => a + b, 0) / seconds,
    longestTaskMs: Math.max(0, ...cpu),
    tasksOverFrame: cpu.filter((c) => c > 1000 / 60).length,
  };
}
