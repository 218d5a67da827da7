import { type Dataset, predictImages, type TrainingSession, weightHistograms } from '../engine';
import type { Inspection } from './protocol';

/** The first `perClass` test images of each class, so the grid shows every class. */
export function sampleTestImages(ds: Dataset, count: number): Int32Array {
  const perClass = Math.max(1, Math.ceil(count / ds.numClasses));
  const taken = new Int32Array(ds.numClasses);
  const out: number[] = [];
  for (let i = 0; i < ds.test.count && out.length < count; i++) {
    const c = ds.test.labels[i];
    if (taken[c] < perClass) {
      taken[c]++;
      out.push(i);
    }
  }
  return Int32Array.from(out);
}

/** Student and teacher predictions on a few test images, and the student's weight histograms. */
export async function inspectRun(s: TrainingSession, count: number): Promise<Inspection> {
  const ds = s.dataset;
  const idx = sampleTestImages(ds, count);
  const pixels = ds.height * ds.width * ds.channels;
  const images = new Uint8Array(idx.length * pixels);
  idx.forEach((j, i) => images.set(ds.test.images.subarray(j * pixels, (j + 1) * pixels), i * pixels));
  const student = await predictImages(s.model, ds, ds.test, idx, s.norm);
  const teacherModel = s.teacher?.model;
  const teacher = teacherModel ? await predictImages(teacherModel, ds, ds.test, idx, s.norm) : null;
  return {
    step: s.step,
    images,
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    labels: Int32Array.from(idx, (j) => ds.test.labels[j]),
    classNames: ds.classNames,
    student: student.classes,
    studentConfidence: student.confidence,
    teacher: teacher?.classes ?? null,
    histograms: await weightHistograms(s.model),
  };
}

export function inspectionBuffers(x: Inspection): ArrayBuffer[] {
  const arrays: ArrayBufferView[] = [x.images, x.labels, x.student, x.studentConfidence, ...x.histograms.map((h) => h.counts)];
  if (x.teacher) arrays.push(x.teacher);
  return arrays.map((a) => a.buffer as ArrayBuffer);
}
