/** Small image files written byte by byte, so tests need no image library. */
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A PNG of 8-bit grey (1), RGB (3) or RGBA (4) pixels; `pixel(x, y)` gives the channel values. */
export function encodePng(width: number, height: number, channels: 1 | 3 | 4, pixel: (x: number, y: number) => number[]): Buffer {
  const colorType = { 1: 0, 3: 2, 4: 6 }[channels];
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, colorType, 0, 0, 0], 8);
  const row = 1 + width * channels;
  const raw = Buffer.alloc(row * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw.set(pixel(x, y).slice(0, channels), y * row + 1 + x * channels);
  }
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

/** A uniform grey PNG; a huge one stays small on disk (rows of zeros compress well). */
export function uniformPng(width: number, height: number, grey: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const row = Buffer.alloc(1 + width, grey);
  row[0] = 0;
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

/** A 24-bit bottom-up BMP. */
export function encodeBmp(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const row = Math.ceil((width * 3) / 4) * 4;
  const size = 54 + row * height;
  const b = Buffer.alloc(size);
  b.write('BM', 0, 'ascii');
  b.writeUInt32LE(size, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(width, 18);
  b.writeInt32LE(height, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  b.writeUInt32LE(row * height, 34);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, bl] = pixel(x, height - 1 - y);
      b.set([bl, g, r], 54 + y * row + 3 * x);
    }
  }
  return b;
}

/** A 2×2 GIF (white, black / black, white), uncompressed-LZW codes written out by hand. */
export function tinyGif(): Buffer {
  return Buffer.from(
    '474946383961' + // GIF89a
      '0200020080' + '0000' + // 2×2, global colour table of 2 entries
      '000000' + 'ffffff' + // black, white
      '2c000000000200020000' + // image descriptor
      '02' + '03' + '0c1005' + '00' + // min code size 2, 3 bytes of LZW data: clear, 1, 0, 0, 1, end
      '3b',
    'hex',
  );
}
