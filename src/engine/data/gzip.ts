import { gunzipLimited } from './import/gunzip-limited';

/** True when the bytes start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses gzip data, or returns the bytes unchanged when they are not gzip. Uses the platform
 * DecompressionStream (browsers, Workers, Node 20), so no library ships to the page.
 */
export async function gunzipIfNeeded(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  return isGzip(bytes) ? gunzipLimited(bytes, file, Number.POSITIVE_INFINITY) : bytes;
}
