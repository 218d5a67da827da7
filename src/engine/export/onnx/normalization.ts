import type { ModelFile } from '../model-file-format';

/** Per-channel mean and standard deviation of pixels in [0, 1]. */
export interface PixelNormalization {
  mean: ArrayLike<number>;
  std: ArrayLike<number>;
  /** Where the values come from, in words (default for given values: "given"). */
  source?: string;
}

/**
 * channelStats (src/engine/data/batches.ts) of the shipped Fashion-MNIST training split, the float32 values the
 * engine normalises with (the decimals are those float32 values exactly; a test recomputes them from the data).
 */
export const FASHION_MNIST_NORMALIZATION: PixelNormalization = { mean: [0.28604060411453247], std: [0.3530242443084717] };

export interface ResolvedNormalization {
  mean: Float32Array;
  std: Float32Array;
  /** Where the values came from, in words (the CLI prints it). */
  source: string;
}

function checked(n: PixelNormalization, channels: number, source: string): ResolvedNormalization {
  const mean = Float32Array.from(Array.from(n.mean ?? [], Number));
  const std = Float32Array.from(Array.from(n.std ?? [], Number));
  if (mean.length !== channels || std.length !== channels) {
    throw new Error(`the input normalisation (${source}) has ${mean.length} means and ${std.length} standard deviations; the model's images have ${channels} channel${channels === 1 ? '' : 's'}`);
  }
  if (!mean.every(Number.isFinite) || !std.every((s) => Number.isFinite(s) && s > 0)) {
    throw new Error(`the input normalisation (${source}) needs finite means and positive standard deviations`);
  }
  return { mean, std, source };
}

/**
 * How the model's inputs were normalised: given explicitly, else recorded in the file, else the shipped
 * Fashion-MNIST statistics for a file that names that dataset or (written before files recorded it) has its
 * 28×28×1 shape. Anything else must be given: the graph would otherwise see inputs on another scale.
 */
export function resolveNormalization(file: ModelFile, given?: PixelNormalization): ResolvedNormalization {
  const channels = file.spec.inputShape[2];
  if (given) return checked(given, channels, given.source ?? 'given');
  if (file.normalization) return checked(file.normalization, channels, 'recorded in the model file');
  const [h, w, c] = file.spec.inputShape;
  if (file.dataset === 'fashion-mnist') return checked(FASHION_MNIST_NORMALIZATION, channels, 'Fashion-MNIST training split');
  if (file.dataset === undefined && h === 28 && w === 28 && c === 1) {
    return checked(FASHION_MNIST_NORMALIZATION, channels, 'Fashion-MNIST training split, assumed from the 28×28×1 input (the file does not record it)');
  }
  throw new Error(
    `the model file does not record how its ${h}×${w}×${c} inputs were normalised${file.dataset ? ` (dataset "${file.dataset}")` : ''}; give the per-channel mean and std`,
  );
}
