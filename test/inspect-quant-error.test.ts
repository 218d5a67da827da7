/** Quantization error per layer against hand-computed values: relative RMS, cosine, clipping, grid-point flips. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FlipTracker, fromSums, quantErrorSums, quantReport } from '../src/engine/inspect/quant-error';
import { buildModel, type Model } from '../src/engine/models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('quantErrorSums', () => {
  it('matches a hand computation at 2 bits, signed', async () => {
    // s = 0.25, Qn = 2, Qp = 1: x/s = 0.4, −1.6, 2.96, 8 → codes 0, −2, 1, 1 → q = 0, −0.5, 0.25, 0.25.
    const sums = quantErrorSums(tf.tensor1d([0.1, -0.4, 0.74, 2.0]), tf.scalar(0.25), 2, true);
    const s = Array.from(await sums.data());
    sums.dispose();
    const want = [0.01 + 0.01 + 0.2401 + 3.0625, 0.01 + 0.16 + 0.5476 + 4, 0.2 + 0.185 + 0.5, 0.25 + 0.0625 + 0.0625, 2, 4];
    s.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    const r = fromSums(s);
    expect(r.relRms).toBeCloseTo(Math.sqrt(3.3227 / 4.7176), 4);
    expect(r.cosine).toBeCloseTo(0.885 / Math.sqrt(4.7176 * 0.375), 4);
    // 2.96 and 8 lie more than half a step beyond the last level (1.5).
    expect(r.clipped).toBe(0.5);
  });

  it('is exact on the grid, per channel too', async () => {
    // Steps 0.5 and 3 per column: every value is a grid point in [−2s, s].
    const sums = quantErrorSums(tf.tensor2d([[0.5, 3], [-1, -6]]), tf.tensor1d([0.5, 3]), 2, true);
    const r = fromSums(await sums.data());
    sums.dispose();
    expect(r.relRms).toBe(0);
    expect(r.cosine).toBeCloseTo(1, 6);
    expect(r.clipped).toBe(0);
  });

  it('unsigned (activations): x/s = 3.4 rounds to 3, −1 clips to 0', async () => {
    const sums = quantErrorSums(tf.tensor1d([0.34, -0.1]), tf.scalar(0.1), 2, false);
    const s = Array.from(await sums.data());
    sums.dispose();
    expect(s[0]).toBeCloseTo(0.04 * 0.04 + 0.01, 6);
    expect(s[4]).toBe(1);
  });
});

describe('FlipTracker', () => {
  it('counts the weights that moved to another grid point, and those that moved back and forth', async () => {
    const w = tf.variable(tf.tensor1d([0.1, 0.3]));
    const s = tf.variable(tf.scalar(0.25));
    const model = {
      params: [
        { name: 'fc/w', kind: 'weight', variable: w },
        { name: 'fc/w.step', kind: 'step', variable: s, quant: { bits: 2, signed: true } },
      ],
    } as unknown as Model;
    const t = new FlipTracker();
    const before = tf.memory().numTensors;
    // Codes: [0, 1] → [1, 1] → [0, 1] → [0, 1] (0.6/0.25 clips to 1).
    for (const v of [[0.1, 0.3], [0.2, 0.3], [0.1, 0.3], [0.1, 0.6]]) {
      tf.tidy(() => w.assign(tf.tensor1d(v)));
      t.observe(model);
    }
    const shares = t.take();
    expect(Array.from(await shares.get('fc/w')!.data())).toEqual([0.5, 0.5]);
    tf.dispose([...shares.values()]);
    // The count starts over.
    tf.tidy(() => w.assign(tf.tensor1d([0.1, -0.3])));
    t.observe(model);
    const next = t.take();
    expect(Array.from(await next.get('fc/w')!.data())).toEqual([0.5, 0]);
    tf.dispose([...next.values()]);
    t.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
    tf.dispose([w, s]);
  });
});

describe('quantReport', () => {
  it('reports every quantized weight and activation, with activation histograms that hold every value', async () => {
    const m = buildModel({ name: 'mlp-narrow', inputShape: [4, 4, 1], numClasses: 3, quant: { wbits: 2, abits: 2, firstLastBits: 8, perChannel: false }, seed: 0 });
    const x = tf.randomUniform([5, 4, 4, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const flips = new FlipTracker();
    flips.observe(m);
    const before = tf.memory().numTensors;
    const r = await quantReport(m, x, flips);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
    const weights = r.layers.filter((l) => l.kind === 'weight');
    const acts = r.layers.filter((l) => l.kind === 'activation');
    expect(weights.length).toBeGreaterThan(0);
    expect(acts.length).toBe(r.activationHistograms.length);
    for (const l of r.layers) {
      expect(l.relRms).toBeGreaterThanOrEqual(0);
      expect(l.cosine).toBeLessThanOrEqual(1 + 1e-6);
      if (l.kind === 'weight') expect(l.flipped).toBe(0);
      else expect(l.flipped).toBeNull();
    }
    // At 2 bits the error is visible; at 8 bits it is small.
    const low = weights.find((l) => l.bits === 2)!;
    const high = weights.find((l) => l.bits === 8)!;
    expect(low.relRms).toBeGreaterThan(high.relRms);
    for (const h of r.activationHistograms) {
      const n = h.counts.reduce((a, b) => a + b, 0);
      expect(n % 5).toBe(0);
      expect(h.step).toBeGreaterThan(0);
    }
    flips.dispose();
    x.dispose();
    m.dispose();
  });
});

describe('quantErrorRows', () => {
  it('puts each run’s latest error of a tensor on one row, weights first', async () => {
    const { quantErrorRows } = await import('../src/store/quant-error-rows');
    const e = (name: string, kind: 'weight' | 'activation', relRms: number) => ({ name, kind, bits: 2, relRms, cosine: 1, clipped: 0, flipped: null, oscillating: null });
    const rows = quantErrorRows([
      { id: 'lsq', quantErrors: [{ step: 5, layers: [e('fc2/in', 'activation', 9)] }, { step: 10, layers: [e('fc2/in', 'activation', 0.3), e('fc2/w', 'weight', 0.2)] }] },
      { id: 'lsq+cr', quantErrors: [{ step: 10, layers: [e('fc2/w', 'weight', 0.1)] }] },
    ]);
    expect(rows.map((r) => [r.name, r.runs.lsq?.relRms, r.runs['lsq+cr']?.relRms])).toEqual([
      ['fc2/w', 0.2, 0.1],
      ['fc2/in', 0.3, undefined],
    ]);
    expect(rows[0].runs.lsq?.step).toBe(10);
  });
});

describe('quantization error export', () => {
  it('writes one row per run, evaluation and tensor', async () => {
    const { quantErrorCsv } = await import('../src/export/quant-error-export');
    const csv = quantErrorCsv([
      { id: 'lsq+cr', quantErrors: [{ step: 20, layers: [{ name: 'fc2/w', kind: 'weight', bits: 2, relRms: 0.5, cosine: 0.9, clipped: 0.01, flipped: 0.2, oscillating: 0.05 }] }] },
    ]);
    expect(csv.trim().split('\n')).toEqual(['run,step,tensor,kind,bits,rel_rms,cosine,clipped,flipped,oscillating', 'LSQ+CR,20,fc2/w,weight,2,0.5,0.9,0.01,0.2,0.05']);
  });
});
