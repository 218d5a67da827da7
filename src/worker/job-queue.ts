/**
 * The Worker's exclusive jobs (training, a step, an evaluation, a spectrum, a configure's teardown) run one at a time,
 * in the order their commands arrived: a Hessian product shifts the weights while it waits for a read-back, and
 * nothing may step, or free the model, in between.
 *
 * A pause or a reset cannot wait its turn behind the job it is meant to stop, so each job holds an abort signal
 * that `interrupt` (a pause) and `drop` (a configure or reset) raise for every job already asked for.
 */

/** What a job is told: whether to stop, and whether the run it was asked of still exists. */
export interface JobContext {
  /** Raised by a pause or a drop: Hessian work stops between two products, waits for data or a backend end. */
  readonly signal: AbortSignal;
  /** True once a configure or reset dropped the run this job was asked of: it must not touch or report it. */
  readonly dropped: boolean;
}

/** Rejects a wait that a pause or a drop cut short (see `interruptible`). */
export class JobInterrupted extends Error {
  constructor() {
    super('interrupted by a later command');
    this.name = 'JobInterrupted';
  }
}

interface Ticket {
  readonly controller: AbortController;
  readonly pausable: boolean;
  dropped: boolean;
}

export class JobQueue {
  private tail: Promise<void> = Promise.resolve();
  /** Jobs asked for and not yet finished, running or waiting. */
  private readonly open = new Set<Ticket>();

  /**
   * Runs `job` after every job enqueued before it has settled; resolves or rejects with it. A job that is not
   * `pausable` is interrupted by a drop only.
   */
  enqueue(job: (ctx: JobContext) => Promise<void>, opts: { pausable?: boolean } = {}): Promise<void> {
    const ticket: Ticket = { controller: new AbortController(), pausable: opts.pausable ?? true, dropped: false };
    this.open.add(ticket);
    const ctx: JobContext = {
      signal: ticket.controller.signal,
      get dropped() {
        return ticket.dropped;
      },
    };
    const run = this.tail.then(() => job(ctx)).finally(() => this.open.delete(ticket));
    // One job's failure is reported by its command; the next job still runs.
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Raises the signal of every pausable job asked for so far (a pause). */
  interrupt(): void {
    for (const t of this.open) if (t.pausable) t.controller.abort();
  }

  /** Interrupts every job asked for so far and marks it dropped (a configure or reset). */
  drop(): void {
    for (const t of this.open) {
      t.dropped = true;
      t.controller.abort();
    }
  }
}

/** `p`, or a JobInterrupted rejection as soon as `signal` is raised (`p` itself runs on). */
export function interruptible<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new JobInterrupted());
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(new JobInterrupted());
    signal.addEventListener('abort', stop, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', stop);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', stop);
        reject(e);
      },
    );
  });
}
