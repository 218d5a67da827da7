/**
 * `npm run export-torch -- … --out DIR`: the command's logic, apart from process handling so tests run it in-process.
 * Bad usage or input (a results or model file that is not the project's, truncated, of a model it does not know):
 * one line, exit 2 (usage) or 1 (input), and nothing written. The project is built in memory, written to a sibling
 * temporary folder and renamed into place.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type ModelFile, type NamedTensor, type TorchDataset, torchProject, type TorchWeights, type TrainConfig } from '../engine';
import { FASHION_MNIST_DIR } from '../node/project-files';
import { EXPORT_TORCH_USAGE, parseExportTorchArgs, type ExportTorchArgs } from './export-torch-args';
import { readPythonSources } from './export-torch-sources';
import { UsageError } from './usage-error';

export interface ExportTorchIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Bad input that is not a wrong command line: exit 1. */
class InputError extends Error {}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];

/** Where the data is and what shape it has: known for Fashion-MNIST and CIFAR, read from the files for idx:DIR. */
async function datasetOf(spec: string): Promise<{ dataset: TorchDataset; numClasses: number }> {
  if (spec === 'fashion-mnist') {
    const dir = resolve(process.env.PROJECT_ROOT ?? process.cwd(), FASHION_MNIST_DIR);
    return { dataset: { kind: 'idx', name: 'fashion-mnist', dir, numClasses: 10, inputShape: [28, 28, 1] }, numClasses: 10 };
  }
  const kind = spec.slice(0, spec.indexOf(':'));
  const dir = spec.slice(spec.indexOf(':') + 1);
  if (kind === 'cifar10' || kind === 'cifar100') {
    const numClasses = kind === 'cifar10' ? 10 : 100;
    return { dataset: { kind, name: kind, dir: resolve(dir), numClasses, inputShape: [32, 32, 3] }, numClasses };
  }
  const { loadDatasetNode } = await import('./load-dataset');
  let ds;
  try {
    ds = await loadDatasetNode(spec);
  } catch (e) {
    throw new InputError(`--dataset ${spec}: ${errorText(e)}`);
  }
  // The engine names an IDX dataset by the folder as given ('auto' flips depend on that name) and counts its classes
  // from the labels, as data.py does.
  return { dataset: { kind: 'idx', name: dir, dir: resolve(dir), inputShape: [ds.height, ds.width, ds.channels] }, numClasses: ds.numClasses };
}

/** The engine's tensors of a model built from the run (TF.js, cpu): initial weights, or a model file's checked ones. */
async function engineTensors(config: TrainConfig, inputShape: [number, number, number], numClasses: number, file: { path: string; file: ModelFile } | null): Promise<NamedTensor[]> {
  const tf = await import('@tensorflow/tfjs');
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  const { buildModel } = await import('../engine');
  const spec = { name: config.model, inputShape, numClasses, quant: config.quant, seed: config.seed };
  if (file) {
    const s = file.file.spec;
    const want = `${spec.name} ${JSON.stringify(spec.quant)} ${spec.inputShape.join('×')} ${spec.numClasses} classes`;
    const got = `${s?.name} ${JSON.stringify(s?.quant)} ${s?.inputShape?.join('×')} ${s?.numClasses} classes`;
    if (want !== got) throw new InputError(`${file.path}: the model file is a ${got}, the run needs a ${want}`);
  }
  const model = buildModel(spec);
  try {
    if (file) {
      const { restoreModel } = await import('../engine');
      try {
        restoreModel(model, file.file);
      } catch (e) {
        throw new InputError(`${file.path}: ${errorText(e)}`);
      }
    }
    const out: NamedTensor[] = [];
    for (const { name, variable } of [...model.params, ...model.buffers]) out.push({ name, shape: variable.shape, data: (await variable.data()) as Float32Array });
    return out;
  } finally {
    model.dispose();
  }
}

/** An earlier export, or an empty folder, may be replaced; anything else is someone's data. */
async function checkTarget(out: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(out);
  } catch {
    return;
  }
  if (entries.length === 0) return;
  try {
    const exported = JSON.parse(await readFile(join(out, 'export.json'), 'utf8'));
    if (exported?.format === 'qat-playground-torch-export') return;
  } catch {
    // not an export
  }
  throw new InputError(`${out} exists and is not an earlier export: choose another --out`);
}

async function writeProject(out: string, files: { path: string; data: string | Uint8Array }[]): Promise<void> {
  const tmp = `${resolve(out)}.${process.pid}.tmp`;
  const old = `${resolve(out)}.${process.pid}.old`;
  await mkdir(dirname(tmp), { recursive: true });
  try {
    await mkdir(tmp);
    for (const f of files) await writeFile(join(tmp, f.path), f.data);
    const replacing = await readdir(out).then(() => true, () => false);
    if (replacing) await rename(out, old);
    await rename(tmp, out);
    if (replacing) await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw new InputError(`cannot write ${out} (${(e as NodeJS.ErrnoException).code ?? errorText(e)})`);
  }
}

export async function runExportTorch(argv: string[], io: ExportTorchIo): Promise<number> {
  let args: ExportTorchArgs | 'help';
  try {
    args = await parseExportTorchArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`export-torch: ${e.message} (see --help)`);
      return 2;
    }
    throw e;
  }
  if (args === 'help') {
    io.out(EXPORT_TORCH_USAGE);
    return 0;
  }
  try {
    await checkTarget(args.out);
    const { dataset, numClasses } = await datasetOf(args.datasetSpec);
    let weights: TorchWeights | null = null;
    if (args.weights !== 'none') {
      const tensors = await engineTensors(args.config, dataset.inputShape, numClasses, args.weights === 'trained' ? args.modelFile : null);
      weights = args.weights === 'trained' ? { kind: 'trained', tensors, steps: args.modelFile?.file.steps } : { kind: 'init', tensors };
    }
    const files = torchProject({ config: args.config, dataset, sources: await readPythonSources(), weights, origin: args.origin });
    await writeProject(args.out, files);
    io.out(`wrote ${args.out}: ${files.map((f) => f.path).join(', ')}`);
    io.out(`run: ${JSON.parse(files.find((f) => f.path === 'export.json')!.data as string).run}, ${args.config.steps} steps, data ${dataset.dir}`);
    io.out(`train it: cd ${args.out} && python3 train.py   (or torchrun --nproc_per_node N train.py)`);
    return 0;
  } catch (e) {
    if (e instanceof InputError || e instanceof RangeError) {
      io.err(`export-torch: ${errorText(e)}`);
      return 1;
    }
    throw e;
  }
}
