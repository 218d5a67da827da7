/**
 * Confusion-matrix arithmetic on plain numbers: rows are the true class, columns the predicted one. No TF.js, so the
 * engine's evaluation, the page's main thread and the exports share it.
 */

/** counts[truth][predicted]. */
export type ConfusionMatrix = number[][];

export function emptyConfusion(classes: number): ConfusionMatrix {
  return Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
}

/** Adds one prediction per image; labels or predictions outside the matrix are an error, not a silent drop. */
export function addPredictions(m: ConfusionMatrix, labels: ArrayLike<number>, predicted: ArrayLike<number>): ConfusionMatrix {
  if (labels.length !== predicted.length) throw new RangeError(`${labels.length} labels but ${predicted.length} predictions`);
  const c = m.length;
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i];
    const p = predicted[i];
    if (!(t >= 0 && t < c && p >= 0 && p < c)) throw new RangeError(`class out of range at ${i}: truth ${t}, predicted ${p}, ${c} classes`);
    m[t][p]++;
  }
  return m;
}

export function confusionOf(classes: number, labels: ArrayLike<number>, predicted: ArrayLike<number>): ConfusionMatrix {
  return addPredictions(emptyConfusion(classes), labels, predicted);
}

export function confusionTotal(m: ConfusionMatrix): number {
  return m.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
}

/** Share of all images on the diagonal. */
export function overallAccuracy(m: ConfusionMatrix): number {
  const n = confusionTotal(m);
  return n === 0 ? 0 : m.reduce((s, row, i) => s + row[i], 0) / n;
}

/** Recall per true class; null for a class with no test images (no evidence either way). */
export function perClassAccuracy(m: ConfusionMatrix): (number | null)[] {
  return m.map((row, i) => {
    const n = row.reduce((a, b) => a + b, 0);
    return n === 0 ? null : row[i] / n;
  });
}

/** a − b cell by cell (e.g. LSQ+CR − LSQ on the same test images). */
export function confusionDiff(a: ConfusionMatrix, b: ConfusionMatrix): ConfusionMatrix {
  if (a.length !== b.length) throw new RangeError(`matrices of ${a.length} and ${b.length} classes`);
  return a.map((row, i) => row.map((v, j) => v - b[i][j]));
}

export interface ClassGain {
  cls: number;
  /** Per-class accuracy of the first matrix minus that of the second. */
  gain: number;
}

/** Per-class accuracy gains of `a` over `b`, largest gain first; classes missing from either are left out. */
export function classGains(a: ConfusionMatrix, b: ConfusionMatrix): ClassGain[] {
  const pa = perClassAccuracy(a);
  const pb = perClassAccuracy(b);
  const out: ClassGain[] = [];
  pa.forEach((x, cls) => {
    const y = pb[cls];
    if (x !== null && y !== null && y !== undefined) out.push({ cls, gain: x - y });
  });
  return out.sort((p, q) => q.gain - p.gain || p.cls - q.cls);
}
