import seedrandom from 'seedrandom';

/**
 * Seeded random numbers. One generator per purpose (init, data order, augmentation), derived from the run seed
 * and a purpose label, so changing how often one purpose draws never shifts another.
 */
/** Where a generator is in its sequence: enough to continue it exactly (a checkpoint holds one per purpose). */
export interface RngState {
  alea: seedrandom.State.Alea;
  spareNormal: number | null;
}

export class Rng {
  private next: seedrandom.StatefulPRNG<seedrandom.State.Alea>;
  private spareNormal: number | null = null;

  constructor(seed: number | string, purpose = '') {
    this.next = seedrandom.alea(`${seed}:${purpose}`, { state: true });
  }

  state(): RngState {
    return { alea: this.next.state(), spareNormal: this.spareNormal };
  }

  /** Continues from a saved state, as if every draw since had been made here. */
  restore(s: RngState): void {
    this.next = seedrandom.alea('', { state: { ...s.alea } });
    this.spareNormal = s.spareNormal;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller, pairs cached). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A 32-bit integer seed for APIs that take one (e.g. tf.randomNormal). */
  int32(): number {
    return Math.floor(this.next() * 0x7fffffff);
  }
}
