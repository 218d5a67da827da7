import type { InputShape } from './crop';
import { checkImageHeader, decodeFailure, type HeaderVerdict } from './image-check';
import { HEADER_BYTES, poolCapacity } from './limits';

export interface ImageSource {
  id: number;
  name: string;
  file: Blob;
}

export interface AcceptedImage {
  id: number;
  /** HWC uint8 at the target shape. */
  pixels: Uint8Array;
}

export interface RefusedFile {
  id: number;
  name: string;
  reason: string;
}

export interface ImageBatch {
  accepted: AcceptedImage[];
  refused: RefusedFile[];
  /** Files handled so far, of `total`. */
  done: number;
  total: number;
}

export type ImageDecoder = (file: Blob, target: InputShape) => Promise<Uint8Array>;

export interface ImportImagesOptions {
  decode: ImageDecoder;
  /** Called after every batch: the page shows images as they arrive, and progress. */
  onBatch: (batch: ImageBatch) => void;
  /** Images it may accept at most; the rest are refused with the reason. */
  room: number;
  signal?: AbortSignal;
  /** Files per batch. */
  batchSize?: number;
}

async function readHead(file: Blob, bytes: number): Promise<Uint8Array> {
  return new Uint8Array(await file.slice(0, bytes).arrayBuffer());
}

/** The header check, reading the whole file when its size hides behind more than the first HEADER_BYTES. */
async function checkFile(file: Blob): Promise<HeaderVerdict> {
  const verdict = checkImageHeader(await readHead(file, HEADER_BYTES), file.size);
  if (verdict.kind === 'unknown' && file.size > HEADER_BYTES) return checkImageHeader(await readHead(file, file.size), file.size);
  return verdict;
}

/**
 * Decodes files one at a time (so at most one full-size image is in memory) and reports them in batches. Every
 * file ends up accepted or refused with a reason; one bad file never stops the others.
 */
export async function importImages(sources: ImageSource[], target: InputShape, opts: ImportImagesOptions): Promise<{ accepted: number; refused: number; cancelled: boolean }> {
  const batchSize = opts.batchSize ?? 25;
  let room = opts.room;
  let batch: ImageBatch = { accepted: [], refused: [], done: 0, total: sources.length };
  let accepted = 0;
  let refused = 0;
  const flush = (done: number) => {
    batch.done = done;
    opts.onBatch(batch);
    batch = { accepted: [], refused: [], done, total: sources.length };
  };
  for (let i = 0; i < sources.length; i++) {
    if (opts.signal?.aborted) {
      flush(i);
      return { accepted, refused, cancelled: true };
    }
    const { id, name, file } = sources[i];
    const refuse = (reason: string) => {
      batch.refused.push({ id, name, reason });
      refused++;
    };
    if (room <= 0) refuse(`the pool is full: it holds at most ${poolCapacity(target).toLocaleString('en-US')} of your images at this size; remove some first`);
    else {
      try {
        const verdict = await checkFile(file);
        if (verdict.kind === 'refused') refuse(verdict.reason);
        else {
          try {
            batch.accepted.push({ id, pixels: await opts.decode(file, target) });
            accepted++;
            room--;
          } catch (e) {
            refuse(e instanceof Error && e.name === 'TooLargeError' ? e.message : decodeFailure(verdict));
          }
        }
      } catch (e) {
        // Reading failed: the file vanished or permission was revoked after it was picked.
        refuse(`could not be read (${e instanceof Error ? e.message : String(e)})`);
      }
    }
    if (batch.accepted.length + batch.refused.length >= batchSize) flush(i + 1);
  }
  flush(sources.length);
  return { accepted, refused, cancelled: false };
}
