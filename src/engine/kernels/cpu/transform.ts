import type * as tf from '@tensorflow/tfjs';
import type { ProjectKernel } from '../project-kernel';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

interface CpuBackendLike {
  data: { get(id: tf.DataId): { values: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> } } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: ArrayLike<number>): tf.TensorInfo;
  disposeIntermediateTensorInfo(t: tf.TensorInfo): void;
}

/**
 * TF.js 4.22's cpu Transform returns from inside its loop over the batch, so every image after the first comes back
 * as the fill value: on cpu, the shifted and flipped views of a batch were blank but for one image. This runs the
 * stock kernel (every interpolation and fill mode it has) one image at a time, which is the case it gets right.
 */
export const transformCpuKernel: ProjectKernel = {
  kernelName: 'Transform',
  role: 'always',
  make(stock) {
    if (!stock) throw new Error('the cpu backend has no Transform kernel to correct');
    const stockFunc = stock.kernelFunc as unknown as (a: KernelArgs) => tf.TensorInfo;
    return ((args: KernelArgs) => {
      const backend = args.backend as CpuBackendLike;
      const { image, transforms } = args.inputs as { image: tf.TensorInfo; transforms: tf.TensorInfo };
      const [batch, h, w, c] = image.shape;
      if (batch <= 1) return stockFunc(args);
      const pixels = backend.data.get(image.dataId).values;
      const rows = backend.data.get(transforms.dataId).values;
      const per = h * w * c;
      let out: Float32Array | Int32Array | null = null;
      let outShape: number[] = [];
      for (let b = 0; b < batch; b++) {
        const one = backend.makeTensorInfo([1, h, w, c], image.dtype, pixels.subarray(b * per, (b + 1) * per));
        const row = backend.makeTensorInfo([1, 8], transforms.dtype, transforms.shape[0] === 1 ? rows.subarray(0, 8) : rows.subarray(b * 8, b * 8 + 8));
        const r = stockFunc({ ...args, inputs: { image: one, transforms: row } });
        const v = backend.data.get(r.dataId).values;
        if (!out) {
          outShape = [batch, ...r.shape.slice(1)];
          out = image.dtype === 'int32' ? new Int32Array(batch * v.length) : new Float32Array(batch * v.length);
        }
        out.set(v as ArrayLike<number>, b * v.length);
        [one, row, r].forEach((t) => backend.disposeIntermediateTensorInfo(t));
      }
      return backend.makeTensorInfo(outShape, image.dtype, out!);
    }) as unknown as tf.KernelFunc;
  },
};
