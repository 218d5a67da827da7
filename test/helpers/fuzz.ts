import seedrandom from 'seedrandom';
import { expect } from 'vitest';

/** A seeded generator for fuzz cases: the same seed gives the same cases, so a failure can be replayed. */
export class Fuzz {
  private readonly rng: seedrandom.PRNG;
  constructor(seed: string) {
    this.rng = seedrandom(seed);
  }
  float(): number {
    return this.rng();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rng() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)];
  }
  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(0, 255));
  }
  /** The bytes with a few of them changed, cut short, or grown. */
  mutate(src: Uint8Array): Uint8Array {
    const out = Uint8Array.from(src);
    switch (this.int(0, 3)) {
      case 0:
        for (let k = this.int(1, 4); k > 0 && out.length > 0; k--) out[this.int(0, out.length - 1)] = this.int(0, 255);
        return out;
      case 1:
        return out.subarray(0, this.int(0, out.length));
      case 2: {
        const grown = new Uint8Array(out.length + this.int(1, 64));
        grown.set(out);
        grown.set(this.bytes(grown.length - out.length), out.length);
        return grown;
      }
      default:
        // Header bytes are where parsers decide what to trust.
        for (let k = this.int(1, 3); k > 0 && out.length > 0; k--) out[this.int(0, Math.min(out.length, 24) - 1)] = this.int(0, 255);
        return out;
    }
  }
}

/** A refusal is an error of an expected kind with a one-line, non-empty reason: never an internal TypeError. */
export function expectReason(e: unknown, kinds: readonly (new (...args: never[]) => Error)[]): string {
  expect(kinds.some((k) => e instanceof k), `unexpected ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`).toBe(true);
  const message = (e as Error).message;
  expect(message.length).toBeGreaterThan(0);
  expect(message).not.toContain('\n');
  return message;
}
