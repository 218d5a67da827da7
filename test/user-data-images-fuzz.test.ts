import { describe, expect, it } from 'vitest';
import { checkImageHeader, decodeFailure } from '../src/user-data/images/image-check';
import { MAX_IMAGE_PIXELS } from '../src/user-data/images/limits';
import { Fuzz } from './helpers/fuzz';
import { encodeBmp, encodePng, tinyGif } from './helpers/image-files';

const CASES = 600;

describe('fuzzed image bytes', () => {
  const seeds = [
    new Uint8Array(encodePng(5, 4, 3, (x, y) => [x * 40, y * 60, 9])),
    new Uint8Array(encodeBmp(3, 2, (x, y) => [x, y, 7])),
    new Uint8Array(tinyGif()),
    // JPEG: SOI, then a baseline SOF0 of 7×3.
    Uint8Array.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x03, 0x00, 0x07, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]),
    new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'),
  ];

  it(`end as an image with a size in bounds, unknown to the header check, or refused with a reason (${CASES} cases)`, () => {
    const f = new Fuzz('images');
    const kinds = { image: 0, unknown: 0, refused: 0 };
    for (let i = 0; i < CASES; i++) {
      const bytes = f.float() < 0.15 ? f.bytes(f.int(0, 64)) : f.mutate(f.pick(seeds));
      const v = checkImageHeader(bytes, f.float() < 0.05 ? f.pick([0, 2 ** 40]) : bytes.length);
      kinds[v.kind]++;
      if (v.kind === 'image') {
        expect(v.width * v.height).toBeGreaterThan(0);
        expect(v.width * v.height).toBeLessThanOrEqual(MAX_IMAGE_PIXELS);
      }
      if (v.kind === 'refused') {
        expect(v.reason.length).toBeGreaterThan(0);
        expect(v.reason).not.toContain('\n');
      }
      expect(decodeFailure(v)).not.toContain('\n');
    }
    expect(Object.values(kinds).every((n) => n > 0), JSON.stringify(kinds)).toBe(true);
  });
});
