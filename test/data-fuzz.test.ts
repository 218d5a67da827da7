import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkCifarBatch, parseCifarBatch } from '../src/engine/data/cifar';
import { DataFormatError } from '../src/engine/data/format-error';
import { loadIdxPair, parseIdx } from '../src/engine/data/idx';
import { importDataset } from '../src/engine/data/import';
import { cifarBatchBytes, idx } from './helpers/data-format';
import { expectReason, Fuzz } from './helpers/fuzz';

const CASES = 400;

describe('fuzzed IDX files', () => {
  const images = idx(0x08, [4, 3, 3], Array.from({ length: 36 }, (_, i) => i));
  const labels = idx(0x08, [4], [0, 1, 2, 1]);

  it(`end accepted or refused with a reason (${CASES} cases of mutated headers and lengths)`, async () => {
    const f = new Fuzz('idx');
    let refused = 0;
    for (let i = 0; i < CASES; i++) {
      const [im, lb] = f.int(0, 1) ? [f.mutate(images), labels] : [images, f.mutate(labels)];
      try {
        const r = await loadIdxPair(im, lb, 'images', 'labels');
        expect(r.set.count * r.height * r.width * r.channels).toBe(r.set.images.length);
      } catch (e) {
        expectReason(e, [DataFormatError]);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(CASES / 2);
  });

  it('refuses a header that claims 2^31 images before allocating anything', () => {
    const huge = idx(0x08, [2 ** 31, 28, 28]);
    const e = (() => {
      try {
        parseIdx(huge, 'claims-2^31');
      } catch (err) {
        return err;
      }
    })();
    expect(expectReason(e, [DataFormatError])).toMatch(/truncated: header promises 2147483648×28×28 = \d+ bytes of data, file has 0/);
    // Wider types and many dimensions multiply past 2^53 without a wrong answer either.
    const wide = idx(0x0e, [0xffffffff, 0xffffffff, 0xffffffff]);
    expect(() => parseIdx(wide, 'wide')).toThrow(DataFormatError);
  });
});

describe('fuzzed CIFAR batches', () => {
  const batch = cifarBatchBytes([[3], [0], [9]]);
  it(`end with a record count or a reason (${CASES} cases)`, () => {
    const f = new Fuzz('cifar');
    let refused = 0;
    for (let i = 0; i < CASES; i++) {
      const bytes = f.mutate(batch);
      const variant = f.pick(['cifar10', 'cifar100'] as const);
      try {
        const n = checkCifarBatch(bytes, 'batch.bin', variant);
        const set = parseCifarBatch(bytes, 'batch.bin', variant);
        expect(set.count).toBe(n);
      } catch (e) {
        expectReason(e, [DataFormatError]);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
  });
});

describe('fuzzed dropped files (the page importer: gzip, tar, IDX, CIFAR)', () => {
  const train = { im: idx(0x08, [6, 2, 2], new Array(24).fill(7)), lb: idx(0x08, [6], [0, 1, 2, 0, 1, 2]) };
  const test = { im: idx(0x08, [3, 2, 2], new Array(12).fill(9)), lb: idx(0x08, [3], [2, 1, 0]) };
  const valid = [
    { name: 'train-images-idx3-ubyte.gz', bytes: new Uint8Array(gzipSync(train.im)) },
    { name: 'train-labels-idx1-ubyte', bytes: train.lb },
    { name: 't10k-images-idx3-ubyte', bytes: test.im },
    { name: 't10k-labels-idx1-ubyte.gz', bytes: new Uint8Array(gzipSync(test.lb)) },
  ];

  it('accepts the valid set (the fuzz starts from a dataset that imports)', async () => {
    const r = await importDataset(valid);
    expect(r.error, JSON.stringify(r.files)).toBeUndefined();
  });

  it(`end with a dataset or a reason for every file (${CASES / 2} cases)`, async () => {
    const f = new Fuzz('import');
    let refused = 0;
    for (let i = 0; i < CASES / 2; i++) {
      const files = valid.map((v) => (f.float() < 0.4 ? { name: v.name, bytes: f.mutate(v.bytes) } : v));
      const r = await importDataset(files);
      expect(r.files.length).toBeGreaterThan(0);
      for (const file of r.files) expect(file.reason ?? '').not.toContain('\n');
      if (r.error !== undefined) {
        expect(r.error).not.toContain('\n');
        expect(r.error.length).toBeGreaterThan(0);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
  });
});
