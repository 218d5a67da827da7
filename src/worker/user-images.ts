import { type Dataset, predictImages, type TrainingSession } from '../engine';
import type { InputShape } from '../user-data/images/crop';
import type { PoolPredictions } from './protocol';

function fits(shape: InputShape, ds: Dataset): boolean {
  return shape.height === ds.height && shape.width === ds.width && shape.channels === ds.channels;
}

/** The images a person added on the page, as the Worker holds them: ids in order, pixels back to back. */
export class UserImages {
  private ids: Int32Array = new Int32Array(0);
  private images: Uint8Array = new Uint8Array(0);
  private shape: InputShape = { height: 0, width: 0, channels: 0 };

  set(ids: Int32Array, images: Uint8Array, shape: InputShape): void {
    const pixels = shape.height * shape.width * shape.channels;
    if (images.length !== ids.length * pixels) throw new RangeError(`${ids.length} images of ${pixels} bytes need ${ids.length * pixels} bytes, got ${images.length}`);
    this.ids = ids;
    this.images = images;
    this.shape = shape;
  }

  /**
   * Makes them the session's added unlabeled images; returns how many joined. Images decoded for another input
   * size (the page is still decoding them again) are left out until they arrive at the right size.
   */
  applyTo(s: TrainingSession): number {
    const use = fits(this.shape, s.dataset) ? this.images : new Uint8Array(0);
    s.setAddedUnlabeledImages(use);
    return use.length === 0 ? 0 : this.ids.length;
  }

  /** The wanted ids that are here and fit the dataset, with their positions. */
  lookup(wanted: readonly number[], ds: Dataset): { ids: Int32Array; positions: Int32Array; images: Uint8Array } | null {
    if (!fits(this.shape, ds) || this.ids.length === 0) return null;
    const at = new Map<number, number>();
    this.ids.forEach((id, i) => at.set(id, i));
    const found = wanted.filter((id) => at.has(id));
    return { ids: Int32Array.from(found), positions: Int32Array.from(found, (id) => at.get(id)!), images: this.images };
  }
}

/** The student's (and the EMA teacher's) predictions for some added images, in eval mode. */
export async function classifyPool(s: TrainingSession, user: UserImages, ids: readonly number[]): Promise<PoolPredictions | null> {
  const ds = s.dataset;
  const found = user.lookup(ids, ds);
  if (!found || found.ids.length === 0) return null;
  const set = { images: found.images, labels: new Uint8Array(found.images.length / (ds.height * ds.width * ds.channels)), count: 0 };
  set.count = set.labels.length;
  const student = await predictImages(s.model, ds, set, found.positions, s.norm);
  const teacherModel = s.teacher?.model;
  const teacher = teacherModel ? await predictImages(teacherModel, ds, set, found.positions, s.norm) : null;
  return {
    step: s.step,
    ids: found.ids,
    student: student.classes,
    studentConfidence: student.confidence,
    teacher: teacher?.classes ?? null,
    teacherConfidence: teacher?.confidence ?? null,
    classNames: ds.classNames,
  };
}

export function poolPredictionBuffers(p: PoolPredictions): ArrayBuffer[] {
  const arrays: ArrayBufferView[] = [p.ids, p.student, p.studentConfidence];
  if (p.teacher) arrays.push(p.teacher);
  if (p.teacherConfidence) arrays.push(p.teacherConfidence);
  return arrays.map((a) => a.buffer as ArrayBuffer);
}
