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

type Strides = number | [number, number];
type Rounding = 'floor' | 'round' | 'ceil';

const randn = (n: number, seed: string) => randomNormal(n, seed, 'wasm-conv2d-backprop-input');

/** What tf.conv2dTranspose does underneath: run the kernel through the engine. */
function conv2DBackpropInput(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: Shape4,
  strides: Strides,
  pad: Pad,
  dataFormat: 'NHWC' | 'NCHW' = 'NHWC',
  dimRoundingMode?: Rounding,
  dilations?: number,
): tf.Tensor4D {
  const attrs: Record<string, unknown> = { inputShape, strides, pad, dataFormat, dimRoundingMode };
  if (dilations !== undefined) attrs.dilations = dilations;
  return tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs as tf.NamedAttrMap) as tf.Tensor4D;
}

/** dx straight from its definition (NHWC), as a reference where the cpu backend has no counterpart (dilation). */
function naiveInputGrad(
  dy: Float32Array,
  filter: Float32Array,
  xShape: Shape4,
  filterShape: Shape4,
  strides: Strides,
  dilations: number,
  pad: Pad,
): Result {
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, dilations, pad);
  const [B, H, W, CI] = xShape;
  const [KH, KW, , CO] = filterShape;
  const { outHeight: OH, outWidth: OW } = info;
  const out = new Float32Array(size(xShape));
  for (let b = 0; b < B; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * info.strideHeight + kh * info.dilationHeight - info.padInfo.top;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * info.strideWidth + kw * info.dilationWidth - info.padInfo.left;
            if (iw < 0 || iw >= W) continue;
            for (let ci = 0; ci < CI; ci++) {
              let s = 0;
              for (let co = 0; co < CO; co++) {
                s += dy[((b * OH + oh) * OW + ow) * CO + co] * filter[((kh * KW + kw) * CI + ci) * CO + co];
              }
              out[((b * H + ih) * W + iw) * CI + ci] += s;
            }
          }
        }
  return { shape: xShape.slice(), values: out };
}

interface Case {
  name: string;
  xShape: Shape4;
  filterShape: Shape4;
  stride: Strides;
  pad: Pad;
  dimRoundingMode?: Rounding;
}

// widePad: padding wider than the kernel reaches, so some dy rows and columns see only padding.

const padName = (pad: Pad): string =>
  typeof pad === 'string' ? pad : typeof pad === 'number' ? `pad ${pad}` : pad === widePad ? 'wide explicit' : 'explicit';

const strideName = (s: Strides): string => (typeof s === 'number' ? `s${s}` : `s${s[0]}x${s[1]}`);

function cases(): Case[] {
  const geometries = [
    { batch: 1, h: 7, w: 9, ci: 1, co: 8 },
    { batch: 3, h: 7, w: 9, ci: 5, co: 3 },
    { batch: 2, h: 8, w: 6, ci: 3, co: 4 },
  ];
  const out: Case[] = [];
  for (const g of geometries)
    for (const k of [1, 3, 5])
      for (const stride of [1, 2] as Strides[])
        for (const pad of ['same', 'valid', explicitPad, widePad] as Pad[]) {
          out.push({
            name: `k${k} ${strideName(stride)} ${padName(pad)} b${g.batch} ${g.h}x${g.w} ${g.ci}->${g.co}`,
            xShape: [g.batch, g.h, g.w, g.ci],
            filterShape: [k, k, g.ci, g.co],
            stride,
            pad,
          });
        }
  // Stride 3 (three phases, and a 1×1 kernel that leaves two of them empty), unequal strides, a non-square
  // kernel.
  const extra: [Shape4, Shape4, Strides][] = [
    [[2, 11, 10, 3], [3, 3, 3, 4], 3],
    [[2, 11, 10, 3], [1, 1, 3, 4], 3],
    [[2, 11, 10, 3], [5, 5, 3, 4], 3],
    [[2, 9, 7, 3], [3, 3, 3, 4], [1, 2]],
    [[2, 9, 7, 3], [3, 3, 3, 4], [2, 1]],
    [[2, 9, 7, 3], [2, 3, 3, 4], [3, 2]],
  ];
  for (const [xShape, filterShape, stride] of extra)
    for (const pad of ['same', 'valid', explicitPad] as Pad[]) {
      out.push({
        name: `k${filterShape[0]}x${filterShape[1]} ${strideName(stride)} ${padName(pad)} b${xShape[0]} ${xShape[1]}x${xShape[2]} ${xShape[3]}->${filterShape[3]}`,
        xShape,
        filterShape,
        stride,
        pad,
      });
    }
  return out;
}

const roundingCases: Case[] = (['floor', 'round', 'ceil'] as const).flatMap((mode) =>
  [7, 8].map((n) => ({
    name: `k3 s2 pad 1 ${mode} b2 ${n}x${n} 3->4`,
    xShape: [2, n, n, 3] as Shape4,
    filterShape: [3, 3, 3, 4] as Shape4,
    stride: 2,
    pad: 1,
    dimRoundingMode: mode,
  })),
);

let stockKernel: tf.KernelConfig | undefined;

beforeAll(async () => {
  stockKernel = tf.getKernel('Conv2DBackpropInput', 'wasm');
  registerProjectKernels('wasm');
  await tf.setBackend('wasm');
  await tf.ready();
});

describe('wasm Conv2DBackpropInput', () => {
  it('replaces the stock kernel; registering again keeps the same kernel', () => {
    expect(stockKernel).toBeDefined();
    const first = tf.getKernel('Conv2DBackpropInput', 'wasm');
    expect(first).toBeDefined();
    expect(first?.kernelFunc).not.toBe(stockKernel?.kernelFunc);
    registerProjectKernels('wasm');
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(first);
  });

  describe('the kernel matches cpu', () => {
    it.each([...cases(), ...roundingCases].map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const dys = dyShape(c);
      const dy = randn(size(dys), `dy-${c.name}`);
      const f = randn(size(c.filterShape), `f-${c.name}`);
      await cpuVsWasm(() =>
        conv2DBackpropInput(
          tf.tensor4d(dy, dys),
          tf.tensor4d(f, c.filterShape),
          c.xShape,
          c.stride,
          c.pad,
          'NHWC',
          c.dimRoundingMode,
        ),
      );
    });
  });

  describe('tf.grad of a conv2d loss w.r.t. the input matches cpu', () => {
    it.each(cases().map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const dys = dyShape(c);
      const x = randn(size(c.xShape), `gx-${c.name}`);
      const f = randn(size(c.filterShape), `gf-${c.name}`);
      const w = randn(size(dys), `gw-${c.name}`);
      await cpuVsWasm(() => {
        const ft = tf.tensor4d(f, c.filterShape);
        const wt = tf.tensor4d(w, dys);
        const loss = (input: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(input as tf.Tensor4D, ft, c.stride, c.pad as 'same'), wt));
        return tf.grad(loss)(tf.tensor4d(x, c.xShape));
      });
    });
  });

  it.each([
    [1, 'same'],
    [2, 'same'],
    [2, 'valid'],
  ] as const)('supports NCHW inputs (stride %i, %s)', async (stride, pad) => {
    const xShape: Shape4 = [2, 3, 7, 9];
    const filterShape: Shape4 = [3, 3, 3, 4];
    const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, stride, 1, pad, undefined, false, 'channelsFirst');
    const dys = info.outShape;
    expect(dys[1]).toBe(4);
    const dy = randn(size(dys), `nchw-dy-${stride}-${pad}`);
    const f = randn(size(filterShape), `nchw-f-${stride}-${pad}`);
    await cpuVsWasm(() =>
      conv2DBackpropInput(tf.tensor4d(dy, dys), tf.tensor4d(f, filterShape), xShape, stride, pad, 'NCHW'),
    );
  });

  it('rejects a dy whose shape does not fit inputShape', async () => {
    await tf.setBackend('wasm');
    const dy = tf.zeros([1, 5, 5, 4]) as tf.Tensor4D;
    const f = tf.zeros([3, 3, 2, 4]) as tf.Tensor4D;
    expect(() => conv2DBackpropInput(dy, f, [1, 7, 7, 2], 1, 'same')).toThrow(/dy has shape/);
    tf.dispose([dy, f]);
  });

  // TF.js's conv2d gradient rejects dilation and the cpu kernel ignores it, so a dilations attr passed to the
  // kernel is checked against the definition instead.
  describe('dilations attr, against the definition', () => {
    it('the reference agrees with cpu without dilation', async () => {
      const xShape: Shape4 = [2, 7, 9, 3];
      const filterShape: Shape4 = [3, 3, 3, 4];
      const dys: Shape4 = [2, 4, 5, 4];
      const dy = randn(size(dys), 'ref-dy');
      const f = randn(size(filterShape), 'ref-f');
      const [ref] = await on('cpu', () =>
        conv2DBackpropInput(tf.tensor4d(dy, dys), tf.tensor4d(f, filterShape), xShape, 2, 'same'),
      );
      expectClose(naiveInputGrad(dy, f, xShape, filterShape, 2, 1, 'same'), ref);
    });

    const dilated: { stride: number; dilation: number; pad: Pad }[] = [];
    for (const [stride, dilation] of [
      [1, 2],
      [2, 2],
      [2, 3],
      [3, 2],
      [1, 3],
    ])
      for (const pad of ['same', 'valid', explicitPad] as Pad[]) dilated.push({ stride, dilation, pad });
    it.each(dilated.map((d) => [d.stride, d.dilation, padName(d.pad), d] as const))(
      'stride %i dilation %i %s',
      async (_s, _d, _p, { stride, dilation, pad }) => {
        const xShape: Shape4 = [3, 11, 10, 2];
        const filterShape: Shape4 = [3, 3, 2, 5];
        const dys = tf.backend_util.computeConv2DInfo(xShape, filterShape, stride, dilation, pad).outShape;
        const dy = randn(size(dys), `dil-dy-${stride}-${dilation}`);
        const f = randn(size(filterShape), `dil-f-${stride}-${dilation}`);
        const [got] = await on('wasm', () =>
          conv2DBackpropInput(
            tf.tensor4d(dy, dys),
            tf.tensor4d(f, filterShape),
            xShape,
            stride,
            pad,
            'NHWC',
            undefined,
            dilation,
          ),
        );
        expectClose(got, naiveInputGrad(dy, f, xShape, filterShape, stride, dilation, pad));
      },
    );
  });

  it('the whole gradient of a tiny conv net matches cpu', () => expectTinyConvNetGradientMatchesCpu(randn, 2));

  it('frees its intermediates: tensors, backend buffers and wasm memory stay flat over repeated calls', async () => {
    await tf.setBackend('wasm');
    const xShape: Shape4 = [8, 32, 32, 16];
    const filterShape: Shape4 = [3, 3, 16, 16];
    const x = tf.tensor4d(randn(size(xShape), 'mem-x'), xShape);
    const dy = tf.tensor4d(randn(8 * 16 * 16 * 16, 'mem-dy'), [8, 16, 16, 16]);
    const f = tf.tensor4d(randn(size(filterShape), 'mem-f'), filterShape);
    const step = () => {
      tf.tidy(() => {
        const direct = conv2DBackpropInput(dy, f, xShape, 2, 'same');
        const cropped = conv2DBackpropInput(dy, f, [8, 31, 31, 16], 2, 'same');
        const nchw = conv2DBackpropInput(
          tf.transpose(dy, [0, 3, 1, 2]),
          f,
          [8, 16, 32, 32],
          2,
          'same',
          'NCHW',
        );
        const viaGrad = tf.grad((input: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(input as tf.Tensor4D, f, 1, 'same'), 0.5)),
        )(x);
        for (const t of [direct, cropped, nchw, viaGrad]) t.dataSync();
      });
    };
    expectWasmMemoryFlat(step, 30);
    tf.dispose([x, dy, f]);
  });
});
