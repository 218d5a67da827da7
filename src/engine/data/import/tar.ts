import { parseTar, type ParsedTarFileItem } from 'nanotar';
import { DataFormatError } from '../format-error';

export interface TarEntry {
  /** Path inside the archive, e.g. "cifar-10-batches-bin/data_batch_1.bin". */
  path: string;
  /** A view into the archive's bytes (no copy). */
  bytes: Uint8Array;
}

/** Sum of a 512-byte header's bytes with the checksum field counted as spaces, as tar defines it. */
function headerChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : bytes[i];
  return sum;
}

/** True for a POSIX/GNU tar ("ustar" at byte 257) or an old-style tar whose first header checksum holds. */
export function isTar(bytes: Uint8Array): boolean {
  if (bytes.length < 512) return false;
  const ustar = [0x75, 0x73, 0x74, 0x61, 0x72];
  if (ustar.every((b, i) => bytes[257 + i] === b)) return true;
  if (bytes[0] === 0) return false;
  const field = String.fromCharCode(...bytes.subarray(148, 156)).replace(/[\0 ]+$/, '').trim();
  return /^[0-7]+$/.test(field) && parseInt(field, 8) === headerChecksum(bytes);
}

/** The regular files of a tar archive, in archive order; folders, links and devices are left out. */
export function readTarEntries(bytes: Uint8Array, file: string): TarEntry[] {
  // nanotar reads `data.buffer` from offset 0, so hand it a buffer that is exactly the archive.
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
  let items: ParsedTarFileItem[];
  try {
    items = parseTar(whole);
  } catch (e) {
    const detail = e instanceof Error && e.message ? ` (${e.message})` : '';
    throw new DataFormatError(file, `truncated or corrupt tar archive${detail}`);
  }
  const entries: TarEntry[] = [];
  for (const item of items) {
    const regular = item.type === undefined || item.type === 'file' || item.type === 'contiguousFile';
    if (!regular || item.name.endsWith('/')) continue;
    if (!Number.isFinite(item.size) || (item.data?.length ?? 0) !== item.size) {
      throw new DataFormatError(file, `truncated or corrupt tar archive (entry ${item.name})`);
    }
    entries.push({ path: item.name, bytes: item.data ?? new Uint8Array(0) });
  }
  return entries;
}
