import { DataFormatError } from '../format-error';

/** Thrown when decompressed data would pass the caller's limit; decompression stops there. */
export class TooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TooLargeError';
  }
}

/** The size gzip records in its last four bytes (little-endian, modulo 2^32): a hint, not a promise. */
function declaredSize(bytes: Uint8Array): number {
  const n = bytes.length;
  if (n < 18) return 0;
  return (bytes[n - 4] | (bytes[n - 3] << 8) | (bytes[n - 2] << 16) | (bytes[n - 1] << 24)) >>> 0;
}

/**
 * Decompresses gzip data with the platform DecompressionStream, stopping past `maxOutput` bytes. The output
 * is written into one buffer sized from the gzip trailer, so a large archive is held once, not once as chunks
 * and again joined; the result then spans its whole buffer (tar parsing relies on that).
 */
export async function gunzipLimited(bytes: Uint8Array, file: string, maxOutput: number): Promise<Uint8Array> {
  const stream = new DecompressionStream('gzip');
  const writer = stream.writable.getWriter();
  // Errors surface on the read side; swallow the write side's copy so it is not reported as unhandled.
  writer
    .write(bytes as Uint8Array<ArrayBuffer>)
    .then(() => writer.close())
    .catch(() => undefined);
  const reader = stream.readable.getReader();
  // The trailer's size is only a claim (a corrupt file can say 4 GB): trust it up to a plausible ratio, then grow.
  let out = new Uint8Array(Math.min(declaredSize(bytes), maxOutput, Math.max(1 << 20, 32 * bytes.length)));
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (total + value.length > maxOutput) {
        await reader.cancel().catch(() => undefined);
        throw new TooLargeError(
          `unpacks to more than ${formatBytes(maxOutput)}, more than this page accepts`,
        );
      }
      if (total + value.length > out.length) {
        const grown = new Uint8Array(Math.min(maxOutput, Math.max(total + value.length, out.length * 2)));
        grown.set(out.subarray(0, total));
        out = grown;
      }
      out.set(value, total);
      total += value.length;
    }
  } catch (e) {
    if (e instanceof TooLargeError) throw e;
    const detail = e instanceof Error && e.message ? ` (${e.message})` : '';
    throw new DataFormatError(file, `corrupt or truncated gzip data${detail}`);
  }
  return total === out.length ? out : out.slice(0, total);
}

/** "183 MB", "4.2 kB": decimal units, as download pages state sizes. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}
