/**
 * Readers and writers of a model's weights in one Worker. A Hessian product shifts the weights (w ± εv) and waits
 * for a read-back before it restores them; a prediction or histogram taken in that gap would describe a model that
 * does not exist. Readers wait for a perturbation to end, a perturbation waits for readers to finish, and a reset
 * waits for both before it frees the model.
 */
export class WeightGuard {
  private writer: Promise<unknown> | null = null;
  private readonly readers = new Set<Promise<unknown>>();

  private busy(): Promise<unknown>[] {
    return [...this.readers, ...(this.writer ? [this.writer] : [])];
  }

  /** Runs `fn`, which shifts the weights and puts them back, with no reader in flight. */
  async perturb<T>(fn: () => Promise<T>): Promise<T> {
    while (this.readers.size > 0 || this.writer) await Promise.allSettled(this.busy());
    const p = fn();
    this.writer = p;
    try {
      return await p;
    } finally {
      if (this.writer === p) this.writer = null;
    }
  }

  /**
   * Runs `fn`, which only reads the weights, while they are as trained. It counts as a reader from the call on, its
   * wait for a perturbation to end included, so `settled` cannot resolve (and a reset free the model) in between.
   */
  async read<T>(fn: () => Promise<T>): Promise<T> {
    const p = (async () => {
      while (this.writer) await this.writer.catch(() => undefined);
      return fn();
    })();
    this.readers.add(p);
    try {
      return await p;
    } finally {
      this.readers.delete(p);
    }
  }

  /** Resolves once nothing reads or shifts the weights. */
  async settled(): Promise<void> {
    while (this.readers.size > 0 || this.writer) await Promise.allSettled(this.busy());
  }
}
