import { describe, expect, it } from 'vitest';
import { FrameQueue, type FrameClock } from '../src/ui/charts/frame-queue';

/** Animation frames, timers and time under the test's control: `frame()` is one 60 Hz frame. */
function fakeClock() {
  let t = 0;
  let frames: (() => void)[] = [];
  let timers: { at: number; run: () => void }[] = [];
  const clock: FrameClock = {
    requestFrame: (run) => void frames.push(run),
    setTimer: (run, ms) => void timers.push({ at: t + ms, run }),
    now: () => t,
  };
  const frame = () => {
    t += 1000 / 60;
    const due = timers.filter((x) => x.at <= t);
    timers = timers.filter((x) => x.at > t);
    for (const x of due) x.run();
    const run = frames;
    frames = [];
    for (const f of run) f();
  };
  return { clock, frame, pendingFrames: () => frames.length };
}

describe('FrameQueue (charts redraw one per frame)', () => {
  it('commits one queued update per animation frame, in the order they were queued', () => {
    const c = fakeClock();
    const q = new FrameQueue(0, c.clock);
    const charts = Array.from({ length: 6 }, () => ({}));
    const log: number[] = [];
    charts.forEach((k, i) => q.schedule(k, () => log.push(i)));
    // Nothing happens before a frame: scheduling is not drawing.
    expect(log).toEqual([]);
    for (let f = 1; f <= 6; f++) {
      c.frame();
      expect(log.length).toBe(f);
    }
    expect(log).toEqual([0, 1, 2, 3, 4, 5]);
    expect(q.size).toBe(0);
    // An empty queue asks for no more frames.
    expect(c.pendingFrames()).toBe(0);
  });

  it('coalesces many updates of one chart into one commit of the newest, which keeps its place in the queue', () => {
    const c = fakeClock();
    const q = new FrameQueue(0, c.clock);
    const a = {};
    const b = {};
    const log: string[] = [];
    q.schedule(a, () => log.push('a1'));
    q.schedule(b, () => log.push('b1'));
    for (let i = 2; i <= 50; i++) q.schedule(a, () => log.push(`a${i}`));
    expect(q.size).toBe(2);
    c.frame();
    c.frame();
    c.frame();
    expect(log).toEqual(['a50', 'b1']);
  });

  it('N updates arriving during every frame still commit at most one per frame', () => {
    const c = fakeClock();
    const q = new FrameQueue(0, c.clock);
    const charts = Array.from({ length: 4 }, () => ({}));
    let commits = 0;
    for (let f = 0; f < 30; f++) {
      for (const k of charts) q.schedule(k, () => commits++);
      const before = commits;
      c.frame();
      expect(commits - before).toBeLessThanOrEqual(1);
    }
    expect(commits).toBe(30);
  });

  it('lets each chart commit at most once per minIntervalMs, the others meanwhile', () => {
    const c = fakeClock();
    const q = new FrameQueue(1000, c.clock);
    const a = {};
    const b = {};
    const log: string[] = [];
    q.schedule(a, () => log.push('a'));
    c.frame();
    expect(log).toEqual(['a']);
    q.schedule(a, () => log.push('a again'));
    q.schedule(b, () => log.push('b'));
    c.frame();
    // b has not committed before: it goes; a waits for its interval.
    expect(log).toEqual(['a', 'b']);
    let frames = 0;
    while (!log.includes('a again') && frames < 200) {
      // While a waits the queue sleeps on a timer instead of asking for every frame.
      expect(c.pendingFrames()).toBe(0);
      c.frame();
      frames++;
    }
    // 1,000 ms after a's first commit, 17 ms of which had passed: 59 frames of 16.7 ms.
    expect(frames).toBeGreaterThanOrEqual(58);
    expect(frames).toBeLessThanOrEqual(60);
    expect(c.pendingFrames()).toBe(0);
  });

  it('forgets a cancelled update', () => {
    const c = fakeClock();
    const q = new FrameQueue(0, c.clock);
    const a = {};
    const log: string[] = [];
    q.schedule(a, () => log.push('a'));
    q.cancel(a);
    c.frame();
    c.frame();
    expect(log).toEqual([]);
  });
});
