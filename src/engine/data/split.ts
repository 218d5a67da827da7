import { Rng } from '../util/rng';

export interface SplitOptions {
  /** Size of the labeled training subset (the rest of the training set is used without labels). */
  labeled: number;
  /** Size of the validation set, held out first. */
  validation: number;
  seed: number;
}

export interface Split {
  labeled: Int32Array;
  validation: Int32Array;
  unlabeled: Int32Array;
}

function checkCount(value: number, what: string, min: number, max: number, why: string): void {
  if (!Number.isInteger(value)) throw new RangeError(`${what} must be a whole number, got ${value}`);
  if (value < min || value > max) {
    throw new RangeError(`${what} must be between ${min} and ${max} (${why}), got ${value}`);
  }
}

/**
 * How many to take from each class: as equal as possible, capped by what each class has left; the last few
 * that do not divide evenly go one each to classes in a seeded order, so no class is always favoured.
 */
function stratifiedQuota(available: number[], count: number, rng: Rng): number[] {
  const quota = available.map(() => 0);
  const order = rng.shuffle(Int32Array.from(available.keys()));
  let remaining = count;
  while (remaining > 0) {
    const open = Array.from(order).filter((c) => quota[c] < available[c]);
    const share = Math.floor(remaining / open.length);
    if (share === 0) {
      for (let i = 0; i < remaining; i++) quota[open[i]]++;
      break;
    }
    for (const c of open) {
      const add = Math.min(share, available[c] - quota[c]);
      quota[c] += add;
      remaining -= add;
    }
  }
  return quota;
}

/**
 * Splits training indices into validation, labeled and unlabeled parts: disjoint, covering every index, the
 * first two stratified by class, all three shuffled. The same labels, options and seed give the same split.
 */
export function splitTrain(labels: Uint8Array, numClasses: number, opts: SplitOptions): Split {
  const n = labels.length;
  if (!Number.isInteger(numClasses) || numClasses <= 0) {
    throw new RangeError(`numClasses must be a positive whole number, got ${numClasses}`);
  }
  if (n === 0) throw new RangeError('cannot split an empty training set');
  checkCount(opts.validation, 'validation', 0, n - 1, `${n} training examples, at least 1 left for labeled`);
  checkCount(
    opts.labeled,
    'labeled',
    1,
    n - opts.validation,
    `${n} training examples minus ${opts.validation} held out for validation`,
  );
  if (!Number.isFinite(opts.seed)) throw new RangeError(`seed must be a finite number, got ${opts.seed}`);

  const byClassCount = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < n; i++) {
    if (labels[i] >= numClasses) {
      throw new RangeError(`label ${labels[i]} at index ${i} is out of range for ${numClasses} classes`);
    }
    byClassCount[labels[i]]++;
  }
  const byClass = byClassCount.map((k) => new Int32Array(k));
  const fill = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < n; i++) byClass[labels[i]][fill[labels[i]]++] = i;

  const rng = new Rng(opts.seed, 'split');
  for (const members of byClass) rng.shuffle(members);
  const cursor = new Array<number>(numClasses).fill(0);

  const take = (count: number): Int32Array => {
    const quota = stratifiedQuota(
      byClass.map((m, c) => m.length - cursor[c]),
      count,
      rng,
    );
    const out = new Int32Array(count);
    let at = 0;
    quota.forEach((q, c) => {
      out.set(byClass[c].subarray(cursor[c], cursor[c] + q), at);
      cursor[c] += q;
      at += q;
    });
    return rng.shuffle(out);
  };

  const validation = take(opts.validation);
  const labeled = take(opts.labeled);
  const unlabeled = new Int32Array(n - opts.validation - opts.labeled);
  let at = 0;
  byClass.forEach((m, c) => {
    unlabeled.set(m.subarray(cursor[c]), at);
    at += m.length - cursor[c];
  });
  return { labeled, validation, unlabeled: rng.shuffle(unlabeled) };
}
