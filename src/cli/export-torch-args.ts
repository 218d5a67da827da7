/**
 * Which run `npm run export-torch` exports: from the experiment's own flags (presets too, resolved by the experiment's
 * parser), from a results.json of `npm run experiment` (its command is parsed again), or from a model file's own
 * config. Every way ends in one TrainConfig and a --dataset spec; anything else is a one-line UsageError.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type ModelFile, parseModelFile, resolveConfig, runName, torchExportProblem, type TrainConfig } from '../engine';
import { parseExperimentArgs, planRuns, UsageError } from './experiment-args';

export const EXPORT_TORCH_USAGE = `usage: npm run export-torch -- [experiment flags | --from results.json [--run N] | --model-file F] --out DIR

Writes DIR, a PyTorch project that trains the run: train.py, model.py, cr.py, data.py, rng.py, weights.py,
config.json (the run's TrainConfig), export.json, README.md and the weights. Then: cd DIR && python3 train.py
(or torchrun --nproc_per_node N train.py).

  --out DIR             the folder to write (replaced if it holds an earlier export; refused if it holds anything else)
  experiment flags      as npm run experiment takes them (--preset, --model, --methods, --wbits, --seeds, --lr, …);
                        without --methods or --preset the run is lsq; they must name one run, or pick one with --run N
  --from results.json   the run of an experiment's results.json (its command is read again); --run N picks
                        the Nth run (0-based) when it holds several
  --weights KIND        init: the engine's initial weights of the seed (default); trained: a model file's
                        (default when one is given); none: train.py computes the initial weights itself
  --model-file F        a model file (qat-playground-model) with the trained weights; alone, it names the run too
                        (add --dataset SPEC when its data is not Fashion-MNIST)`;

export interface ExportTorchArgs {
  out: string;
  config: TrainConfig;
  /** The experiment's --dataset spec: fashion-mnist, idx:DIR, cifar10:DIR, cifar100:DIR. */
  datasetSpec: string;
  weights: 'init' | 'trained' | 'none';
  /** The model file to take trained weights from (given, or named by the results file), and its parsed content. */
  modelFile: { path: string; file: ModelFile } | null;
  origin: string;
}

/** The experiment's --dataset forms (src/cli/experiment-args.ts checks the same). */
const DATASET_SPEC = /^(fashion-mnist|(idx|cifar10|cifar100):.+)$/;

const OWN_FLAGS = ['--out', '--from', '--run', '--weights', '--model-file'] as const;
type OwnFlag = (typeof OWN_FLAGS)[number];

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];

/** Splits the command line into this command's flags and the experiment's. */
function splitArgs(argv: string[]): { own: Partial<Record<OwnFlag, string>>; rest: string[] } {
  const own: Partial<Record<OwnFlag, string>> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const name = (eq > 0 ? a.slice(0, eq) : a) as OwnFlag;
    if (!OWN_FLAGS.includes(name)) {
      rest.push(a);
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`${name} needs a value`);
    if (name in own) throw new UsageError(`${name} given twice`);
    own[name] = value;
  }
  return { own, rest };
}

function runIndex(text: string | undefined, count: number, names: () => string): number {
  if (text === undefined) {
    if (count === 1) return 0;
    throw new UsageError(`${count} runs: ${names()}; pick one with --run N`);
  }
  const n = Number(text);
  if (!/^\d+$/.test(text) || n >= count) throw new UsageError(`--run: expected 0–${count - 1}, got "${text}"`);
  return n;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path} (${(e as NodeJS.ErrnoException).code ?? errorText(e)})`);
  }
}

async function readModelFile(path: string): Promise<{ path: string; file: ModelFile }> {
  const text = await readText(path, 'the model file');
  try {
    return { path, file: parseModelFile(text) };
  } catch (e) {
    throw new UsageError(`${path}: ${errorText(e)}`);
  }
}

interface ResultsRun {
  method: string;
  seed: number;
  wbits: number;
  abits: number;
  model: string;
  modelFile?: string;
}

/** A results.json of `npm run experiment`: its runs, and its command's flags. */
async function readResults(path: string): Promise<{ runs: ResultsRun[]; argv: string[]; command: string }> {
  const text = await readText(path, 'the results file');
  let json: { runs?: unknown; command?: unknown };
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${path}: not a results.json of npm run experiment: it is not JSON (truncated?)`);
  }
  const command = typeof json?.command === 'string' ? json.command : '';
  const marker = 'npm run experiment';
  if (!Array.isArray(json?.runs) || !command.startsWith(marker)) {
    throw new UsageError(`${path}: not a results.json of npm run experiment (it needs "runs" and the "command" that wrote them)`);
  }
  const runs = json.runs as ResultsRun[];
  if (runs.length === 0) throw new UsageError(`${path}: holds no finished run`);
  runs.forEach((r, i) => {
    const ok = r && typeof r.method === 'string' && typeof r.model === 'string' && [r.seed, r.wbits, r.abits].every(Number.isInteger);
    if (!ok) throw new UsageError(`${path}: run ${i} lacks its model, method, seed or bits`);
  });
  const tail = command.slice(marker.length).trim();
  const args = tail.startsWith('--') && (tail === '--' || tail.startsWith('-- ')) ? tail.slice(2).trim() : tail;
  return { runs, argv: args.length > 0 ? args.split(/\s+/) : [], command };
}

function experimentPlan(argv: string[], where: string) {
  try {
    const plan = parseExperimentArgs(argv);
    if (plan === 'help') throw new UsageError(`${where}: --help is not a run`);
    return plan;
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(where ? `${where}: ${e.message}` : e.message);
    throw e;
  }
}

/** The dataset a model file was trained on, as a --dataset spec, when it says (or its shape is Fashion-MNIST's). */
function modelFileDataset(f: ModelFile, path: string): string {
  if (f.dataset === 'fashion-mnist') return 'fashion-mnist';
  const [h, w, c] = f.spec?.inputShape ?? [];
  if (f.dataset === undefined && h === 28 && w === 28 && c === 1 && f.spec?.numClasses === 10) return 'fashion-mnist';
  throw new UsageError(`${path}: trained on ${f.dataset ?? 'an unnamed dataset'}; say where its files are with --dataset idx:DIR | cifar10:DIR | cifar100:DIR`);
}

export async function parseExportTorchArgs(argv: string[]): Promise<ExportTorchArgs | 'help'> {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  const { own, rest } = splitArgs(argv);
  if (!own['--out']) throw new UsageError('--out DIR is required');
  const weightsFlag = own['--weights'];
  if (weightsFlag !== undefined && !['init', 'trained', 'none'].includes(weightsFlag)) throw new UsageError(`--weights: "${weightsFlag}" is not one of init, trained, none`);
  let modelFile = own['--model-file'] ? await readModelFile(own['--model-file']) : null;

  let config: TrainConfig;
  let datasetSpec: string;
  let origin: string;
  if (own['--from']) {
    if (rest.length > 0) throw new UsageError(`give --from or the experiment's flags, not both (got ${rest.join(' ')})`);
    const path = own['--from'];
    const results = await readResults(path);
    const plan = experimentPlan(results.argv, `${path}: its command`);
    const i = runIndex(own['--run'], results.runs.length, () => results.runs.map((r, k) => `${k} ${r.model} ${r.method} W${r.wbits}A${r.abits} seed ${r.seed}`).join(', '));
    const r = results.runs[i];
    const planned = planRuns(plan).find(({ spec: s }) => s.model === r.model && s.method === r.method && s.seed === r.seed && s.wbits === r.wbits && s.abits === r.abits);
    if (!planned) throw new UsageError(`${path}: run ${i} (${r.model} ${r.method} W${r.wbits}A${r.abits} seed ${r.seed}) is not one its command trains`);
    config = planned.config;
    datasetSpec = plan.dataset;
    origin = `run ${i} of ${path}, from \`${results.command}\``;
    if (!modelFile && r.modelFile && weightsFlag !== 'init' && weightsFlag !== 'none') modelFile = await readModelFile(resolve(dirname(path), r.modelFile));
  } else if (modelFile && rest.every((a, k) => a === '--dataset' || a.startsWith('--dataset=') || rest[k - 1] === '--dataset')) {
    // The model file alone names the run (and --dataset, if given, its data).
    if (own['--run'] !== undefined) throw new UsageError('--run picks a run of --from or of the experiment flags');
    const given = rest.length > 0 ? (rest[0].includes('=') ? rest[0].slice(rest[0].indexOf('=') + 1) : rest[1]) : undefined;
    try {
      config = resolveConfig(modelFile.file.config);
    } catch (e) {
      throw new UsageError(`${modelFile.path}: its config is not a valid run: ${errorText(e)}`);
    }
    datasetSpec = given ?? modelFileDataset(modelFile.file, modelFile.path);
    if (!DATASET_SPEC.test(datasetSpec)) throw new UsageError(`--dataset: "${datasetSpec}" is not fashion-mnist, idx:DIR, cifar10:DIR or cifar100:DIR`);
    origin = `the model file ${modelFile.path}`;
  } else {
    const given = rest.some((a) => a === '--methods' || a.startsWith('--methods=') || a === '--preset' || a.startsWith('--preset='));
    // The experiment's default is "fp32,lsq", two runs; one run is exported, and without a choice it is LSQ.
    const plan = experimentPlan(given ? rest : [...rest, '--methods', 'lsq'], '');
    const runs = planRuns(plan);
    const i = runIndex(own['--run'], runs.length, () => runs.map((r, k) => `${k} ${runName(r.config)}`).join(', '));
    config = runs[i].config;
    datasetSpec = plan.dataset;
    origin = `\`npm run export-torch -- ${argv.join(' ')}\``;
  }
  const problem = torchExportProblem(config);
  if (problem) throw new UsageError(problem);

  const weights = weightsFlag === undefined ? (modelFile ? 'trained' : 'init') : (weightsFlag as ExportTorchArgs['weights']);
  if (weights === 'trained' && !modelFile) throw new UsageError('--weights trained needs --model-file F (or a results.json run saved with its model file)');
  if (weights !== 'trained') modelFile = null;
  return { out: own['--out'], config, datasetSpec, weights, modelFile, origin };
}
