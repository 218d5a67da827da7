/**
 * `npm run export-onnx -- <model file> --out F.onnx`: the command's logic, apart from process handling so tests run it
 * in-process. Bad usage: one line, exit 2. A file that is not a usable model file: one line, exit 1. Either way
 * nothing is written: the model is converted in memory first, then written to a temporary file renamed into place.
 */
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { modelFileToOnnx, parseModelFile, type PixelNormalization } from '../engine';
import { UsageError } from './usage-error';

export const EXPORT_ONNX_USAGE = `Usage: npm run export-onnx -- <model file> --out F.onnx [--mean M[,M…] --std S[,S…] | --dataset SPEC]

Writes the trained model as a QDQ ONNX model: float32 NHWC pixels in [0, 1] in, logits out. Weights are
stored as their int8 LSQ codes with DequantizeLinear, activations pass QuantizeLinear/DequantizeLinear with
the learned step sizes; full-precision (fp32) runs export as a plain float graph.

  --out F.onnx      where to write (required)
  --mean, --std     per-channel input normalisation (pixels in [0, 1]), overriding what the file records
  --dataset SPEC    take the normalisation from that dataset's training split, as the engine does
                    (fashion-mnist | idx:DIR | cifar10:DIR | cifar100:DIR)
A model file that does not record its normalisation is taken as Fashion-MNIST when its input is 28×28×1.`;

export interface ExportOnnxIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

interface ExportOnnxArgs {
  input: string;
  out: string;
  mean?: number[];
  std?: number[];
  dataset?: string;
}

function numbers(v: string, flag: string): number[] {
  const items = v.split(',').map((s) => s.trim());
  const values = items.map(Number);
  if (items.some((s) => s === '') || !values.every(Number.isFinite)) throw new UsageError(`${flag}: expected comma-separated numbers, got "${v}"`);
  return values;
}

export function parseExportOnnxArgs(argv: string[]): ExportOnnxArgs | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (!['--out', '--mean', '--std', '--dataset'].includes(name)) throw new UsageError(`unknown flag ${name}`);
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`${name} needs a value`);
    if (name in flags) throw new UsageError(`${name} given twice`);
    flags[name] = value;
  }
  if (positional.length === 0) throw new UsageError('no model file given');
  if (positional.length > 1) throw new UsageError(`one model file at a time, got ${positional.length}: ${positional.join(' ')}`);
  if (!flags['--out']) throw new UsageError('--out F.onnx is required');
  const args: ExportOnnxArgs = { input: positional[0], out: flags['--out'] };
  if (('--mean' in flags) !== ('--std' in flags)) throw new UsageError('--mean and --std go together');
  if ('--mean' in flags) {
    if ('--dataset' in flags) throw new UsageError('give --mean/--std or --dataset, not both');
    args.mean = numbers(flags['--mean'], '--mean');
    args.std = numbers(flags['--std'], '--std');
  }
  if ('--dataset' in flags) args.dataset = flags['--dataset'];
  return args;
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];

/** The normalisation of a dataset's training split, as a training session computes it (loads TF.js, Node only). */
async function datasetNormalization(spec: string): Promise<PixelNormalization> {
  const [{ loadDatasetNode }, { channelStats }] = await Promise.all([import('./load-dataset'), import('../engine')]);
  return { ...channelStats(await loadDatasetNode(spec)), source: `the training split of --dataset ${spec}` };
}

export async function runExportOnnx(argv: string[], io: ExportOnnxIo): Promise<number> {
  let args: ExportOnnxArgs | 'help';
  try {
    args = parseExportOnnxArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`export-onnx: ${e.message} (see --help)`);
      return 2;
    }
    throw e;
  }
  if (args === 'help') {
    io.out(EXPORT_ONNX_USAGE);
    return 0;
  }
  let text: string;
  try {
    text = await readFile(args.input, 'utf8');
  } catch (e) {
    io.err(`export-onnx: cannot read ${args.input} (${(e as NodeJS.ErrnoException).code ?? errorText(e)})`);
    return 1;
  }
  let result;
  try {
    const normalization = args.mean && args.std ? { mean: args.mean, std: args.std } : args.dataset ? await datasetNormalization(args.dataset) : undefined;
    result = modelFileToOnnx(parseModelFile(text), { normalization });
  } catch (e) {
    io.err(`export-onnx: ${args.input}: ${errorText(e)}`);
    return 1;
  }
  const tmp = `${args.out}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, result.bytes);
    await rename(tmp, args.out);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    io.err(`export-onnx: cannot write ${args.out} (${(e as NodeJS.ErrnoException).code ?? errorText(e)})`);
    return 1;
  }
  const modelBytes = (await stat(args.input)).size;
  const onnxBytes = result.bytes.length;
  const quantized = result.layers.filter((l) => l.wbits !== null).length;
  io.out(`wrote ${args.out}: ${size(onnxBytes)} ONNX (opset 13, ${quantized ? `QDQ, int8 weight codes in ${quantized} of ${result.layers.length} layers` : 'float32, no quantization'})`);
  io.out(`model file ${args.input}: ${size(modelBytes)} (float32 weights as base64 JSON); ONNX is ${(modelBytes / onnxBytes).toFixed(1)}× smaller`);
  io.out(`input normalisation: ${result.normalization.source}: mean ${Array.from(result.normalization.mean, (v) => v.toPrecision(6)).join(',')}, std ${Array.from(result.normalization.std, (v) => v.toPrecision(6)).join(',')}`);
  return 0;
}
