/** What the queue needs from the page: animation frames, timers and a clock (fakes in tests). */
export interface FrameClock {
  requestFrame(run: () => void): void;
  setTimer(run: () => void, ms: number): void;
  now(): number;
}

const PAGE_CLOCK: FrameClock = {
  requestFrame: (run) => void requestAnimationFrame(run),
  setTimer: (run, ms) => void setTimeout(run, ms),
  now: () => performance.now(),
};

/**
 * Spreads chart redraws over animation frames: one queued update is committed per frame, the rest wait for the
 * next ones, and each key commits at most once per `minIntervalMs`. One recharts redraw costs tens of milliseconds
 * on a loaded machine; all charts redrawing in one task (each takes every metrics batch) froze the page for
 * hundreds while two runs trained. A key that gets a newer update while it waits keeps its place in the queue and
 * commits only the newest.
 */
export class FrameQueue {
  /** In queue order (a Map keeps insertion order); the newest commit of each key. */
  private readonly pending = new Map<object, () => void>();
  private readonly lastCommit = new WeakMap<object, number>();
  /** What the queue waits for; callbacks of an earlier wait (a superseded timer) carry an older token and do nothing. */
  private waiting: 'frame' | 'timer' | null = null;
  private token = 0;

  constructor(
    private readonly minIntervalMs = 0,
    private readonly clock: FrameClock = PAGE_CLOCK,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  schedule(key: object, commit: () => void): void {
    this.pending.set(key, commit);
    this.wake();
  }

  /** Forgets a key's queued update (its chart unmounted). */
  cancel(key: object): void {
    this.pending.delete(key);
  }

  /** How long until `key` may commit again. */
  private wait(key: object, now: number): number {
    const last = this.lastCommit.get(key);
    return last === undefined ? 0 : Math.max(0, last + this.minIntervalMs - now);
  }

  /**
   * Asks for the next frame when a queued key may commit now, else sleeps on a timer until the first one may (a new
   * key that may commit at once cuts the sleep short).
   */
  private wake(): void {
    if (this.waiting === 'frame' || this.pending.size === 0) return;
    const now = this.clock.now();
    const soonest = Math.min(...[...this.pending.keys()].map((k) => this.wait(k, now)));
    const token = ++this.token;
    if (soonest > 0) {
      this.waiting = 'timer';
      this.clock.setTimer(() => {
        if (token !== this.token) return;
        this.waiting = null;
        this.wake();
      }, soonest);
    } else {
      this.waiting = 'frame';
      this.clock.requestFrame(() => {
        if (token === this.token) this.runFrame();
      });
    }
  }

  private runFrame(): void {
    this.waiting = null;
    const now = this.clock.now();
    try {
      for (const [key, commit] of this.pending) {
        if (this.wait(key, now) > 0) continue;
        this.pending.delete(key);
        this.lastCommit.set(key, now);
        commit();
        return;
      }
    } finally {
      this.wake();
    }
  }
}
