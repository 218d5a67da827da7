import { useUserData, type PoolImage } from '../store/user-data-store';
import { describeShape, shapeKey, type InputShape } from '../user-data/images/crop';
import type { ImageSource } from '../user-data/images/import-images';
import { poolCapacity } from '../user-data/images/limits';
import { startImportJob, type ImportJob } from './import-client';

/**
 * What the page does with images a person adds: decode them in the import Worker (in batches, with progress),
 * keep them in the pool, take them out again, and decode them anew when the model's input size changes.
 */
let nextId = 1;
const adding = new Map<number, { job: ImportJob; left: number }>();
let resizing: ImportJob | null = null;

function sourcesOf(files: File[]): ImageSource[] {
  return files.map((file) => ({ id: nextId++, name: file.webkitRelativePath || file.name, file }));
}

/** Decodes the files and adds every image that can be read; each other file gets a reason in the refused list. */
export function addImageFiles(files: File[]): void {
  if (files.length === 0) return;
  const state = useUserData.getState();
  const sources = sourcesOf(files);
  const byId = new Map(sources.map((s) => [s.id, s]));
  const pending = [...adding.values()].reduce((a, j) => a + j.left, 0);
  const target = state.target;
  const room = Math.max(0, poolCapacity(target) - state.images.length - pending);
  const shape = shapeKey(target);
  const reported = new Set<number>();
  const job: ImportJob = startImportJob(
    (id) => ({ type: 'decode-images', job: id, sources, target, room }),
    (e) => {
      const s = useUserData.getState();
      if (e.type === 'images') {
        const images: PoolImage[] = e.batch.accepted.map((a) => {
          const src = byId.get(a.id)!;
          return { id: a.id, name: src.name, source: src.file as File, pixels: a.pixels, shape };
        });
        s.addImages(images);
        s.addRefused(e.batch.refused);
        for (const x of [...e.batch.accepted, ...e.batch.refused]) reported.add(x.id);
        const entry = adding.get(job.job);
        if (entry) entry.left = e.batch.total - e.batch.done;
        s.setProgress({ job: job.job, done: e.batch.done, total: e.batch.total, what: 'adding' }, job.job);
      } else if (e.type === 'images-done' || e.type === 'failed') {
        const stopped = (e.type === 'failed' && e.message === 'cancelled') || (e.type === 'images-done' && e.cancelled);
        const reason = e.type === 'failed' && !stopped ? e.message : stopped ? 'not added: the import was stopped' : null;
        if (reason) s.addRefused(sources.filter((src) => !reported.has(src.id)).map((src) => ({ id: src.id, name: src.name, reason })));
        adding.delete(job.job);
        job.detach();
        s.setProgress(null, job.job);
        // The model's input may have changed while these were decoded.
        matchPoolToTarget();
      }
    },
  );
  adding.set(job.job, { job, left: sources.length });
  state.setProgress({ job: job.job, done: 0, total: sources.length, what: 'adding' }, job.job);
}

export function removeImage(id: number): void {
  useUserData.getState().removeImages([id]);
}

/** Empties the pool and stops imports in progress (what they already added goes too, and nothing more arrives). */
export function clearImages(): void {
  const s = useUserData.getState();
  for (const jobs of [[...adding.values()].map((a) => a.job), resizing ? [resizing] : []]) {
    for (const job of jobs) {
      job.cancel();
      job.detach();
      s.setProgress(null, job.job);
    }
  }
  adding.clear();
  resizing = null;
  s.clearImages();
}

export function cancelImageImports(): void {
  for (const { job } of adding.values()) job.cancel();
}

/** Sets the model input the pool is kept at, and decodes the pool's images again for it. */
export function setPoolTarget(target: InputShape): void {
  const s = useUserData.getState();
  if (shapeKey(s.target) === shapeKey(target)) return;
  s.setTarget(target);
  matchPoolToTarget();
}

/** Decodes again, from their files, the images that are not at the current target size. */
function matchPoolToTarget(): void {
  if (adding.size > 0) return; // they call back when done
  const { images, target } = useUserData.getState();
  const shape = shapeKey(target);
  const stale = images.filter((im) => im.shape !== shape);
  if (resizing) {
    resizing.cancel();
    resizing.detach();
    useUserData.getState().setProgress(null, resizing.job);
    resizing = null;
  }
  if (stale.length === 0) return;
  const sources: ImageSource[] = stale.map((im) => ({ id: im.id, name: im.name, file: im.source }));
  const redone = new Set<number>();
  const job: ImportJob = startImportJob(
    (id) => ({ type: 'decode-images', job: id, sources, target, room: sources.length }),
    (e) => {
      const s = useUserData.getState();
      if (e.type === 'images') {
        s.replacePixels(e.batch.accepted, shape);
        for (const x of [...e.batch.accepted, ...e.batch.refused]) redone.add(x.id);
        if (e.batch.refused.length > 0) {
          s.removeImages(e.batch.refused.map((r) => r.id));
          s.addRefused(e.batch.refused);
        }
        s.setProgress({ job: job.job, done: e.batch.done, total: e.batch.total, what: 'resizing' }, job.job);
      } else if (e.type === 'images-done' || e.type === 'failed') {
        s.setProgress(null, job.job);
        job.detach();
        if (resizing === job) resizing = null;
        // A crashed decoder must not leave images silently out of every pool: say why they went.
        if (e.type === 'failed' && e.message !== 'cancelled') {
          const lost = sources.filter((src) => !redone.has(src.id));
          s.removeImages(lost.map((src) => src.id));
          s.addRefused(lost.map((src) => ({ id: src.id, name: src.name, reason: `could not be resized for ${describeShape(target)}: ${e.message}` })));
        }
      }
    },
  );
  resizing = job;
  useUserData.getState().setProgress({ job: job.job, done: 0, total: sources.length, what: 'resizing' }, job.job);
}
