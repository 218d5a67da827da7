import { describe, expect, it } from 'vitest';
import { checkProperty, crossCheck, DEFAULT_CONFIG, propertySpec } from '../src/config/playground-config';
import { decodeConfig, encodeConfig } from '../src/config/url-hash';
import { TrainingSession } from '../src/engine/train/session';
import type { PoolImage } from '../src/store/user-data-store';
import { datasetOptions } from '../src/ui/controls/dataset-options';
import { allowedDataOrigins } from '../src/app/allowed-origins';
import { poolPayload } from '../src/app/pool-payload';
import { inputOf } from '../src/app/pool-target';
import { classifyPool, UserImages } from '../src/worker/user-images';
import { syntheticDataset } from './helpers/synthetic-dataset';

const small = syntheticDataset({ height: 6, width: 6, channels: 1, classes: 3, train: 60, test: 12 });
const PX = 36;
const shape = { height: 6, width: 6, channels: 1 };

const image = (id: number, fill: number, key = '6x6x1'): PoolImage => ({ id, name: `${id}.png`, source: new File([], `${id}.png`), pixels: new Uint8Array(key === '6x6x1' ? PX : 3 * PX).fill(fill), shape: key });

describe('the pool of added images', () => {
  it('is sent to the Workers as ids and pixels back to back, leaving out images not yet at the target size', () => {
    const p = poolPayload([image(4, 10), image(9, 20, '6x6x3'), image(7, 30)], shape);
    expect(Array.from(p.ids)).toEqual([4, 7]);
    expect(p.images.length).toBe(2 * PX);
    expect(p.images[0]).toBe(10);
    expect(p.images[PX]).toBe(30);
  });

  it('replaces the added images of a running session (remove, clear) and refuses partial images without change', () => {
    const s = new TrainingSession(small, { model: 'mlp', method: 'lsq+cr', labeled: 12, steps: 3, batchSize: 6, evalEvery: 0 });
    expect(s.setAddedUnlabeledImages(new Uint8Array(3 * PX))).toBe(51);
    expect(s.setAddedUnlabeledImages(new Uint8Array(1 * PX))).toBe(49);
    expect(() => s.setAddedUnlabeledImages(new Uint8Array(PX + 3))).toThrow(/36 bytes each/);
    expect(s.unlabeledPool.addedCount).toBe(1);
    expect(s.setAddedUnlabeledImages(new Uint8Array(0))).toBe(48);
    s.dispose();
  });

  it('joins a session only when decoded for its input size, and classifies the wanted ids after training', async () => {
    const s = new TrainingSession(small, { model: 'mlp', method: 'lsq+cr', labeled: 12, steps: 3, batchSize: 6, evalEvery: 0 });
    const user = new UserImages();
    user.set(Int32Array.from([11, 12]), new Uint8Array(2 * 3 * PX), { height: 6, width: 6, channels: 3 });
    expect(user.applyTo(s)).toBe(0);
    expect(s.unlabeledPool.addedCount).toBe(0);
    const pixels = new Uint8Array(2 * PX);
    pixels.fill(255, PX);
    user.set(Int32Array.from([11, 12]), pixels, shape);
    expect(user.applyTo(s)).toBe(2);
    expect(s.unlabeledPool.size).toBe(50);
    expect(() => user.set(Int32Array.from([1]), new Uint8Array(PX + 1), shape)).toThrow(RangeError);
    await s.stepOnce();
    const p = await classifyPool(s, user, [12, 99]);
    expect(p).not.toBeNull();
    expect(Array.from(p!.ids)).toEqual([12]);
    expect(p!.student.length).toBe(1);
    expect(p!.teacher?.length).toBe(1);
    expect(p!.studentConfidence[0]).toBeGreaterThan(0);
    expect(p!.studentConfidence[0]).toBeLessThanOrEqual(1);
    s.dispose();
  });
});

describe('datasets loaded on the page', () => {
  const cifar = { id: 'cifar10', height: 32, width: 32, channels: 3, numClasses: 10, classNames: [], trainCount: 30, testCount: 10, notes: [], files: [] };

  it('are a valid dataset setting in links, which keep their name; a bad name falls back with a note', () => {
    expect(checkProperty(propertySpec('dataset'), 'emnist-letters')).toBeNull();
    expect(checkProperty(propertySpec('dataset'), 'Bad Name!')).toMatch(/lowercase letters, digits and dashes/);
    const link = encodeConfig({ ...DEFAULT_CONFIG, dataset: 'kmnist' });
    expect(decodeConfig(link).config.dataset).toBe('kmnist');
    const bad = decodeConfig('data=..%2Fetc');
    expect(bad.config.dataset).toBe('fashion-mnist');
    expect(bad.notes[0]).toMatch(/^data=\.\.\/etc: must be a dataset name/);
    // The size of a dataset loaded from files is not known from a link alone: no cross-check.
    expect(crossCheck({ ...DEFAULT_CONFIG, dataset: 'kmnist', labeled: 1_000_000 })).toEqual([]);
  });

  it('are listed in the picker, beside the shipped one and the chosen one that is not loaded yet', () => {
    expect(datasetOptions('fashion-mnist', []).map((o) => o.value)).toEqual(['fashion-mnist', 'cifar10']);
    const opts = datasetOptions('kmnist', [cifar]);
    expect(opts.map((o) => o.value)).toEqual(['fashion-mnist', 'cifar10', 'kmnist']);
    expect(opts[1].label).toBe('CIFAR-10 (loaded, 32×32 RGB, 10 classes)');
    expect(opts[2].label).toBe('KMNIST (not loaded: load its files)');
  });

  it('set the input the pool is decoded for', () => {
    expect(inputOf('fashion-mnist', [])).toEqual({ height: 28, width: 28, channels: 1 });
    expect(inputOf('cifar10', [cifar])).toEqual({ height: 32, width: 32, channels: 3 });
    expect(inputOf('cifar10', [])).toBeNull();
  });

  it('come from this site, or from origins the deployment allows', () => {
    expect(allowedDataOrigins('http://127.0.0.1:5173', undefined)).toEqual(['http://127.0.0.1:5173']);
    expect(allowedDataOrigins('https://a.example', 'https://data.example, https://cdn.example')).toEqual(['https://a.example', 'https://data.example', 'https://cdn.example']);
  });
});
