import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerProjectKernels } from '../src/engine/kernels/register';
import {
  cpuVsWasm,
  dyShape,
  expectClose,
  expectTinyConvNetGradientMatchesCpu,
  expectWasmMemoryFlat,
  explicitPad,
  on,
  randn as randomNormal,
  size,
  widePad,
  type Pad,
  type Result,
  type Shape4,
} from './helpers/backend-compare';

const randn = (n: number, seed: string) => randomNormal(n, seed, 'wasm-conv2d-backprop-filter');

/** What tf.conv2DBackpropFilter (an op TF.js does not export) does: run the kernel through the engine. */
function conv2DBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: Shape4,
  strides: number,
  pad: Pad,
  dataFormat: 'NHWC' | 'NCHW' = 'NHWC',
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
  dilations?: number,
): tf.Tensor4D {
  const attrs: Record<string, unknown> = { strides, pad, dataFormat, dimRoundingMode, filterShape };
  if (dilations !== undefined) attrs.dilations = dilations;
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as tf.NamedAttrMap) as tf.Tensor4D;
}

/** dW straight from its definition, as a reference where the cpu backend has no counterpart (dilation). */
function naiveFilterGrad(
  x: Float32Array,
  xShape: Shape4,
  dy: Float32Array,
  filterShape: Shape4,
  strides: number,
  dilations: number,
  pad: Pad,
): Result {
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, dilations, pad);
  const [B, H, W, CI] = xShape;
  const [KH, KW, , CO] = filterShape;
  const { outHeight: OH, outWidth: OW } = info;
  const out = new Float32Array(size(filterShape));
  for (let kh = 0; kh < KH; kh++)
    for (let kw = 0; kw < KW; kw++)
      for (let ci = 0; ci < CI; ci++)
        for (let co = 0; co < CO; co++) {
          let s = 0;
          for (let b = 0; b < B; b++)
            for (let oh = 0; oh < OH; oh++) {
              const ih = oh * info.strideHeight + kh * info.dilationHeight - info.padInfo.top;
              if (ih < 0 || ih >= H) continue;
              for (let ow = 0; ow < OW; ow++) {
                const iw = ow * info.strideWidth + kw * info.dilationWidth - info.padInfo.left;
                if (iw < 0 || iw >= W) continue;
                s += x[((b * H + ih) * W + iw) * CI + ci] * dy[((b * OH + oh) * OW + ow) * CO + co];
              }
            }
          out[((kh * KW + kw) * CI + ci) * CO + co] = s;
        }
  return { shape: filterShape.slice(), values: out };
}

interface Case {
  name: string;
  xShape: Shape4;
  filterShape: Shape4;
  stride: number;
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

// widePad: padding wider than the kernel reaches, so some filter taps only ever see zeros.

function cases(): Case[] {
  const geometries = [
    { batch: 1, h: 7, w: 9, ci: 1, co: 8 },
    { batch: 3, h: 7, w: 9, ci: 5, co: 3 },
    { batch: 2, h: 8, w: 6, ci: 3, co: 4 },
    // More batch than output channels: the batch is the channel count of the inner convolution.
    { batch: 6, h: 9, w: 7, ci: 2, co: 3 },
  ];
  const out: Case[] = [];
  for (const g of geometries)
    for (const k of [1, 3, 5])
      for (const stride of [1, 2])
        for (const pad of ['same', 'valid', explicitPad, widePad] as Pad[]) {
          const padName = typeof pad === 'string' ? pad : pad === widePad ? 'wide explicit' : 'explicit';
          out.push({
            name: `k${k} s${stride} ${padName} b${g.batch} ${g.h}x${g.w} ${g.ci}->${g.co}`,
            xShape: [g.batch, g.h, g.w, g.ci],
            filterShape: [k, k, g.ci, g.co],
            stride,
            pad,
          });
        }
  return out;
}

beforeAll(async () => {
  registerProjectKernels('wasm');
  await tf.setBackend('wasm');
  await tf.ready();
});

describe('wasm Conv2DBackpropFilter', () => {
  it('is registered once; registering again keeps the same kernel', () => {
    const first = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    expect(first).toBeDefined();
    registerProjectKernels('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBe(first);
  });

  // The kernel relies on these: the forward stride turns into a dilation of the filter-gradient convolution.
  it.each([1, 2, 3])('wasm Conv2D agrees with cpu for stride 1, dilation %i', async (d) => {
    const x = randn(2 * 11 * 13 * 3, `fwd-x-${d}`);
    const f = randn(3 * 3 * 3 * 4, `fwd-f-${d}`);
    for (const pad of ['same', 'valid', explicitPad] as Pad[]) {
      await cpuVsWasm(() =>
        tf.conv2d(tf.tensor4d(x, [2, 11, 13, 3]), tf.tensor4d(f, [3, 3, 3, 4]), 1, pad as 'same', 'NHWC', d),
      );
    }
  });

  describe('tf.conv2DBackpropFilter matches cpu', () => {
    const all: Case[] = [
      ...cases(),
      ...(['floor', 'round', 'ceil'] as const).map((mode) => ({
        name: `k3 s2 pad 1 ${mode} b2 8x8 3->4`,
        xShape: [2, 8, 8, 3] as Shape4,
        filterShape: [3, 3, 3, 4] as Shape4,
        stride: 2,
        pad: 1,
        dimRoundingMode: mode,
      })),
    ];
    it.each(all.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const dys = dyShape(c);
      const x = randn(size(c.xShape), `x-${c.name}`);
      const dy = randn(size(dys), `dy-${c.name}`);
      await cpuVsWasm(() =>
        conv2DBackpropFilter(
          tf.tensor4d(x, c.xShape),
          tf.tensor4d(dy, dys),
          c.filterShape,
          c.stride,
          c.pad,
          'NHWC',
          c.dimRoundingMode,
        ),
      );
    });
  });

  describe('tf.grad of a conv2d loss w.r.t. the filter matches cpu', () => {
    it.each(cases().map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const dys = dyShape(c);
      const x = randn(size(c.xShape), `gx-${c.name}`);
      const f = randn(size(c.filterShape), `gf-${c.name}`);
      const w = randn(size(dys), `gw-${c.name}`);
      await cpuVsWasm(() => {
        const xt = tf.tensor4d(x, c.xShape);
        const wt = tf.tensor4d(w, dys);
        const loss = (filter: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(xt, filter as tf.Tensor4D, c.stride, c.pad as 'same'), wt));
        return tf.grad(loss)(tf.tensor4d(f, c.filterShape));
      });
    });
  });

  it('supports NCHW inputs', async () => {
    const xShape: Shape4 = [2, 3, 7, 9];
    const filterShape: Shape4 = [3, 3, 3, 4];
    const dys: Shape4 = [2, 4, 4, 5];
    const x = randn(size(xShape), 'nchw-x');
    const dy = randn(size(dys), 'nchw-dy');
    await cpuVsWasm(() =>
      conv2DBackpropFilter(tf.tensor4d(x, xShape), tf.tensor4d(dy, dys), filterShape, 2, 'same', 'NCHW'),
    );
  });

  // TF.js's conv2d gradient rejects dilation and the cpu kernel ignores it, so a dilations attr passed to the
  // kernel is checked against the definition instead.
  describe('dilations attr, against the definition', () => {
    it('the reference agrees with cpu without dilation', async () => {
      const xShape: Shape4 = [2, 7, 9, 3];
      const filterShape: Shape4 = [3, 3, 3, 4];
      const dys: Shape4 = [2, 4, 5, 4];
      const x = randn(size(xShape), 'ref-x');
      const dy = randn(size(dys), 'ref-dy');
      const [ref] = await on('cpu', () =>
        conv2DBackpropFilter(tf.tensor4d(x, xShape), tf.tensor4d(dy, dys), filterShape, 2, 'same'),
      );
      expectClose(naiveFilterGrad(x, xShape, dy, filterShape, 2, 1, 'same'), ref);
    });

    const dilated: { stride: number; dilation: number; pad: Pad }[] = [];
    for (const [stride, dilation] of [
      [1, 2],
      [2, 2],
      [1, 3],
    ])
      for (const pad of ['same', 'valid', explicitPad] as Pad[]) dilated.push({ stride, dilation, pad });
    it.each(dilated.map((d) => [d.stride, d.dilation, typeof d.pad === 'string' ? d.pad : 'explicit', d] as const))(
      'stride %i dilation %i %s',
      async (_s, _d, _p, { stride, dilation, pad }) => {
        const xShape: Shape4 = [3, 11, 10, 2];
        const filterShape: Shape4 = [3, 3, 2, 5];
        const dys = tf.backend_util.computeConv2DInfo(xShape, filterShape, stride, dilation, pad).outShape;
        const x = randn(size(xShape), `dil-x-${stride}-${dilation}`);
        const dy = randn(size(dys), `dil-dy-${stride}-${dilation}`);
        const [got] = await on('wasm', () =>
          conv2DBackpropFilter(
            tf.tensor4d(x, xShape),
            tf.tensor4d(dy, dys),
            filterShape,
            stride,
            pad,
            'NHWC',
            undefined,
            dilation,
          ),
        );
        expectClose(got, naiveFilterGrad(x, xShape, dy, filterShape, stride, dilation, pad));
      },
    );
  });

  it('the whole gradient of a tiny conv net matches cpu', () => expectTinyConvNetGradientMatchesCpu(randn, 1));

  it('frees its intermediates: tensors, backend buffers and wasm memory stay flat over repeated calls', async () => {
    await tf.setBackend('wasm');
    const xShape: Shape4 = [8, 32, 32, 16];
    const filterShape: Shape4 = [3, 3, 16, 16];
    const x = tf.tensor4d(randn(size(xShape), 'mem-x'), xShape);
    const dy = tf.tensor4d(randn(8 * 32 * 32 * 16, 'mem-dy'), [8, 32, 32, 16]);
    const f = tf.tensor4d(randn(size(filterShape), 'mem-f'), filterShape);
    const step = () => {
      tf.tidy(() => {
        const direct = conv2DBackpropFilter(x, dy, filterShape, 1, 'same');
        const viaGrad = tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, w as tf.Tensor4D, 2, 'valid'), 0.5)))(f);
        direct.dataSync();
        viaGrad.dataSync();
      });
    };
    expectWasmMemoryFlat(step, 40);
    tf.dispose([x, dy, f]);
  });
});
