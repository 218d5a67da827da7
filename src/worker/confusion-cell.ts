import { type EvalPredictions, type TrainingSession } from '../engine';

export type CellModel = 'student' | 'teacher';

/** The test images of one confusion cell at the last evaluation, with this run's predictions for them. */
export interface CellImages {
  /** The step of the evaluation the cell comes from. */
  step: number;
  truth: number;
  predicted: number;
  model: CellModel;
  /** Images in the cell; `indices` holds at most the requested number of them. */
  total: number;
  indices: Int32Array;
  /** HWC uint8, one image per index. */
  images: Uint8Array;
  height: number;
  width: number;
  channels: number;
  classNames: string[];
  student: Int32Array;
  teacher: Int32Array | null;
}

/** One run's predictions for given test images at its last evaluation; -1 where an image was not evaluated. */
export interface TestPredictions {
  step: number;
  indices: Int32Array;
  student: Int32Array;
  teacher: Int32Array | null;
}

/** Positions of test images in an evaluation's order. */
function positions(p: EvalPredictions, indices: ArrayLike<number>): Int32Array {
  const at = new Map<number, number>();
  p.indices.forEach((idx, pos) => at.set(idx, pos));
  return Int32Array.from(indices, (i) => at.get(i) ?? -1);
}

function pick(values: Int32Array, pos: Int32Array): Int32Array {
  return Int32Array.from(pos, (p) => (p < 0 ? -1 : values[p]));
}

/**
 * The images of cell (truth, predicted) of the student's (or teacher's) matrix at the last test evaluation, read
 * from the predictions that evaluation kept: the cell matches the matrix on the page whatever training did since.
 */
export function confusionCell(s: TrainingSession, truth: number, predicted: number, model: CellModel, limit: number): CellImages | null {
  const p = s.lastTestPredictions;
  if (!p) return null;
  const preds = model === 'teacher' ? p.teacher : p.student;
  if (!preds) return null;
  const ds = s.dataset;
  const members: number[] = [];
  let total = 0;
  for (let k = 0; k < p.indices.length; k++) {
    if (ds.test.labels[p.indices[k]] !== truth || preds[k] !== predicted) continue;
    total++;
    if (members.length < limit) members.push(p.indices[k]);
  }
  const indices = Int32Array.from(members);
  const pixels = ds.height * ds.width * ds.channels;
  const images = new Uint8Array(indices.length * pixels);
  indices.forEach((j, i) => images.set(ds.test.images.subarray(j * pixels, (j + 1) * pixels), i * pixels));
  const pos = positions(p, indices);
  return {
    step: p.step,
    truth,
    predicted,
    model,
    total,
    indices,
    images,
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    classNames: ds.classNames,
    student: pick(p.student, pos),
    teacher: p.teacher ? pick(p.teacher, pos) : null,
  };
}

export function testPredictions(s: TrainingSession, indices: readonly number[]): TestPredictions | null {
  const p = s.lastTestPredictions;
  if (!p) return null;
  const pos = positions(p, indices);
  return { step: p.step, indices: Int32Array.from(indices), student: pick(p.student, pos), teacher: p.teacher ? pick(p.teacher, pos) : null };
}

export function cellBuffers(c: CellImages): ArrayBuffer[] {
  const arrays: ArrayBufferView[] = [c.indices, c.images, c.student];
  if (c.teacher) arrays.push(c.teacher);
  return arrays.map((a) => a.buffer as ArrayBuffer);
}

export function testPredictionBuffers(t: TestPredictions): ArrayBuffer[] {
  const arrays: ArrayBufferView[] = [t.indices, t.student];
  if (t.teacher) arrays.push(t.teacher);
  return arrays.map((a) => a.buffer as ArrayBuffer);
}
