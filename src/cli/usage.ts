import { DEFAULT_CONFIG, SHIPPED_DATASET } from '../config/playground-config';
import { matchingPreset, PRESETS } from '../config/presets';
import { runsOf } from '../config/run-config';
import { BACKEND_NAMES } from '../engine/backend/types';
import { MODEL_NAMES } from '../engine/models/types';
import { DEFAULT_TRAIN_CONFIG, METHODS } from '../engine/train/config';
import { PLAN_DEFAULTS } from './plan-defaults';
import { datasetFlagFor } from './preset-plan';
import { TRAINING_FLAGS, type TrainingFlag } from './training-flags';

/** `--help`, written from the tables it describes: the page's presets, the flags and the engine's defaults. */

const FLAG_WIDTH = 22;
const HELP_WIDTH = 52;

function line(flag: string, help: string, shown?: string): string {
  const left = `  ${flag.padEnd(FLAG_WIDTH - 1)} `;
  if (shown === undefined) return `${left}${help}`;
  return `${left}${help.length < HELP_WIDTH ? help.padEnd(HELP_WIDTH) : `${help}  `}default ${shown}`;
}

function presetLines(): string[] {
  const pageDefault = matchingPreset(DEFAULT_CONFIG)?.id;
  return PRESETS.map((p) => {
    const c = p.config;
    const facts = [
      `${c.model} W${c.wbits}A${c.abits}`,
      `${c.labeled} labels`,
      `${c.steps} steps`,
      runsOf(c).join(' + '),
      ...(c.dataset === SHIPPED_DATASET ? [] : [`needs --dataset ${datasetFlagFor(c.dataset)}`]),
      ...(p.id === pageDefault ? ["the page's default"] : []),
    ];
    return `    ${p.id.padEnd(FLAG_WIDTH - 3)} ${facts.join(', ')}`;
  });
}

function flagLines(group: TrainingFlag['group']): string[] {
  return TRAINING_FLAGS.filter((f) => f.group === group).map((f) =>
    line(`--${f.name}${f.arg ? ` ${f.arg}` : ''}`, f.help, f.arg ? f.shown(DEFAULT_TRAIN_CONFIG) : undefined),
  );
}

export const USAGE = [
  'usage: npm run experiment -- [options]',
  line('--preset ID', "the page's preset of that id: its dataset, model, bits, runs and settings;"),
  line('', 'the other flags override single settings, wherever they are given'),
  ...presetLines(),
  line('--dataset NAME', 'fashion-mnist (shipped), idx:DIR (four MNIST-format files), cifar10:DIR, cifar100:DIR'),
  line('--model LIST', `${MODEL_NAMES.join(', ')} (comma-separated)`, PLAN_DEFAULTS.model),
  line('--methods LIST', METHODS.join(', '), PLAN_DEFAULTS.methods),
  line('--wbits LIST', 'weight bits, 2–8 (paired with --abits)', PLAN_DEFAULTS.wbits),
  line('--abits LIST', 'activation bits, 2–8', PLAN_DEFAULTS.abits),
  ...flagLines('training'),
  line('--seeds LIST', 'seeds and ranges, e.g. 0,1,2 or 0-4 or 0-2,7', PLAN_DEFAULTS.seeds),
  line('--backend NAME', ['auto', ...BACKEND_NAMES].join(', '), PLAN_DEFAULTS.backend),
  line('--out DIR', 'where results.json and summary.md go', PLAN_DEFAULTS.out),
  line('--no-progress', 'no progress bar'),
  line('--hessian WHAT', 'none, top1 or top50: the top Hessian eigenvalue(s) and the trace'),
  line('', 'of the training loss after training', PLAN_DEFAULTS.hessian),
  line('--hessian-samples N', 'labeled images in the fixed batch of the Hessian', PLAN_DEFAULTS['hessian-samples']),
  ' consistency (lsq+cr; lsq+kd uses λ, τ and the loss too):',
  ...flagLines('consistency'),
  ' augmentation (every method, each view):',
  ...flagLines('augmentation'),
  " the defaults shown are the engine's; with --preset, the preset's settings apply instead.",
].join('\n');
