/** Shared by the export-torch tests: Debian's Python with PyTorch, an exported project in a temp folder, IDX files. */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Dataset } from '../../src/engine/data/types';
import { torchProject, type TorchDataset, type TorchWeights } from '../../src/engine/export/torch/project';
import type { NamedTensor } from '../../src/engine/export/torch/safetensors';
import { resolveConfig, type TrainConfigInput } from '../../src/engine/train/config';
import { readPythonSources } from '../../src/cli/export-torch-sources';
import { idx } from '../helpers/data-format';

/** Debian's python3: python3 on PATH may be another interpreter without Debian's packages. */
export const PYTHON = '/usr/bin/python3';
export const PARITY_DRIVER = fileURLToPath(new URL('./parity.py', import.meta.url));

/** Why the PyTorch tests cannot run here, or null. */
export function torchMissing(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} is not there (${r.error.message})`;
  if (r.status !== 0) return `${PYTHON} has no torch (install python3-torch): ${r.stderr.trim().split('\n').pop()}`;
  return null;
}

export const torchVersion = (): string => spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).stdout.trim();

export interface PythonResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs Debian's python3 (no bytecode files, one thread per process: the machine is shared). */
export function python(args: string[], opts: { cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<PythonResult> {
  return new Promise((resolve) => {
    execFile(
      PYTHON,
      ['-B', ...args],
      { cwd: opts.cwd, timeout: opts.timeoutMs ?? 240_000, maxBuffer: 64 << 20, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', OMP_NUM_THREADS: '1', ...opts.env } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** The JSON object a driver prints last. */
export function lastJson(r: PythonResult): Record<string, unknown> {
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`no JSON from python (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** Writes the project of a run into dir, as the CLI would (without going through the command line). */
export async function writeProject(dir: string, input: TrainConfigInput, dataset: TorchDataset, weights: TorchWeights | null = null): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const files = torchProject({ config: resolveConfig(input), dataset, sources: await readPythonSources(), weights, origin: 'a test' });
  for (const f of files) writeFileSync(join(dir, f.path), f.data);
}

/** A dataset as the four gzipped IDX files of the MNIST layout. */
export function writeIdxDataset(dir: string, ds: Dataset): void {
  mkdirSync(dir, { recursive: true });
  const shape = (n: number) => (ds.channels === 1 ? [n, ds.height, ds.width] : [n, ds.height, ds.width, ds.channels]);
  const put = (name: string, bytes: Uint8Array) => writeFileSync(join(dir, name), gzipSync(bytes));
  put('train-images-idx3-ubyte.gz', idx(0x08, shape(ds.train.count), Array.from(ds.train.images)));
  put('train-labels-idx1-ubyte.gz', idx(0x08, [ds.train.count], Array.from(ds.train.labels)));
  put('t10k-images-idx3-ubyte.gz', idx(0x08, shape(ds.test.count), Array.from(ds.test.images)));
  put('t10k-labels-idx1-ubyte.gz', idx(0x08, [ds.test.count], Array.from(ds.test.labels)));
}

export function tensorsOf(vars: readonly { name: string; variable: { shape: number[]; dataSync(): ArrayLike<number> } }[], prefix = ''): NamedTensor[] {
  return vars.map(({ name, variable }) => ({ name: `${prefix}${name}`, shape: [...variable.shape], data: Float32Array.from(variable.dataSync()) }));
}
