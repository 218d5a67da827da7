import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PRESETS, type Preset } from '../src/config/presets';
import { runsOf, trainConfigFor, type RunId } from '../src/config/run-config';
import { DEFAULT_TRAIN_CONFIG, resolveConfig, type TrainConfig } from '../src/engine/train/config';
import { parseExperimentArgs, planRuns, UsageError, type ExperimentPlan } from '../src/cli/experiment-args';
import { pairedComparisons, pairedSummary } from '../src/cli/paired-summary';
import { summarize, type RunResult } from '../src/cli/results';
import { parseSeeds } from '../src/cli/seed-list';
import { USAGE } from '../src/cli/usage';

function plan(args: string[]): ExperimentPlan {
  const p = parseExperimentArgs(args);
  if (p === 'help') throw new Error('unexpected help');
  return p;
}

/** The page's engine config of one run of a preset, through the page's own mapping. */
function pageConfig(preset: Preset, run: RunId, seed = 0): TrainConfig {
  return resolveConfig({ ...trainConfigFor(preset.config, run), seed });
}

const preset = (id: string) => PRESETS.find((p) => p.id === id)!;
/** The flag a preset needs to run here: its dataset, when it is not the shipped one. */
const datasetArgs = (p: Preset) => (p.config.dataset === 'fashion-mnist' ? [] : ['--dataset', `${p.config.dataset}:/data`]);

describe('--preset: the preset table shared by page and CLI, one source', () => {
  it('--preset classroom resolves, run by run, to the page\'s configs', () => {
    const classroom = preset('classroom');
    const runs = planRuns(plan(['--preset', 'classroom']));
    expect(runs.map((r) => r.spec.method)).toEqual(runsOf(classroom.config));
    expect(runs.length).toBeGreaterThan(0);
    for (const { spec, config } of runs) expect(config, spec.method).toEqual(pageConfig(classroom, spec.method as RunId));
  });

  it.each(PRESETS.map((p) => [p.id, p] as const))('--preset %s runs the page\'s model, bits, runs and settings', (id, p) => {
    const pl = plan(['--preset', id, '--seeds', '3,5', ...datasetArgs(p)]);
    expect(pl.models).toEqual([p.config.model]);
    expect(pl.bits).toEqual([[p.config.wbits, p.config.abits]]);
    expect(pl.methods).toEqual(runsOf(p.config));
    const runs = planRuns(pl);
    expect(runs).toHaveLength(2 * runsOf(p.config).length);
    // The seed is the one field the CLI sets itself.
    for (const { spec, config } of runs) expect(config).toEqual(pageConfig(p, spec.method as RunId, spec.seed));
  });

  it('adds the fp32 run when the preset asks for it', () => {
    const withFp: Preset = { ...preset('classroom'), config: { ...preset('classroom').config, fp32: true } };
    expect(runsOf(withFp.config)).toContain('fp32');
    // Through the same mapping the CLI uses for a real preset:
    const p = plan(['--preset', 'classroom']);
    const runs = planRuns({ ...p, preset: withFp, methods: runsOf(withFp.config) });
    const fp = runs.find((r) => r.spec.method === 'fp32')!;
    expect(fp.config).toEqual(pageConfig(withFp, 'fp32'));
    expect(fp.config.quant.wbits).toBe(32);
  });

  it('a flag after the preset overrides only that setting, and so does one before it', () => {
    const classroom = preset('classroom');
    const expected = (run: RunId) => {
      const c = pageConfig(classroom, run);
      return { ...c, cr: { ...c.cr, teacher: { ...c.cr.teacher, decay: 0.5 } } };
    };
    for (const args of [['--preset', 'classroom', '--ema-decay', '0.5'], ['--ema-decay', '0.5', '--preset', 'classroom']]) {
      const runs = planRuns(plan(args));
      expect(runs.map((r) => r.spec.method)).toEqual(runsOf(classroom.config));
      for (const { spec, config } of runs) expect(config, args.join(' ')).toEqual(expected(spec.method as RunId));
    }
    expect(classroom.config.emaDecay).not.toBe(0.5);
  });

  it('keeps the preset\'s other bit width when one of --wbits/--abits is given', () => {
    const classroom = preset('classroom');
    const pl = plan(['--preset', 'classroom', '--wbits', '4']);
    expect(pl.bits).toEqual([[4, classroom.config.abits]]);
    const lsq = planRuns(pl).find((r) => r.spec.method === 'lsq')!.config;
    const page = pageConfig(classroom, 'lsq');
    expect(lsq).toEqual({ ...page, quant: { ...page.quant, wbits: 4 } });
  });

  it('--methods and --model replace the preset\'s runs and model', () => {
    const paper = preset('paper');
    const pl = plan(['--preset', 'paper', '--methods', 'fp32,lsq', '--model', 'mlp']);
    expect(pl.methods).toEqual(['fp32', 'lsq']);
    expect(pl.models).toEqual(['mlp']);
    const lsq = planRuns(pl).find((r) => r.spec.method === 'lsq')!.config;
    expect(lsq).toEqual({ ...pageConfig(paper, 'lsq'), model: 'mlp' });
  });

  it('a preset whose dataset is not shipped needs --dataset, and says so in one line', () => {
    const notShipped = PRESETS.filter((p) => p.config.dataset !== 'fashion-mnist');
    expect(notShipped.length).toBeGreaterThan(0);
    for (const p of notShipped) {
      expect(() => plan(['--preset', p.id])).toThrow(UsageError);
      expect(() => plan(['--preset', p.id])).toThrow(new RegExp(`--dataset ${p.config.dataset}:DIR`));
      try {
        plan(['--preset', p.id]);
      } catch (e) {
        expect((e as Error).message.split('\n')).toHaveLength(1);
      }
      expect(plan(['--preset', p.id, '--dataset', `${p.config.dataset}:/data`]).dataset).toBe(`${p.config.dataset}:/data`);
    }
  });

  it('refuses an unknown preset, naming the ids', () => {
    expect(() => plan(['--preset', 'paper-mini'])).toThrow(UsageError);
    expect(() => plan(['--preset', 'paper-mini'])).toThrow(`is not one of ${PRESETS.map((p) => p.id).join(', ')}`);
  });

  it('--help lists every preset id from the table and no other', () => {
    for (const p of PRESETS) expect(USAGE).toMatch(new RegExp(`^ {4}${p.id.replace(/[+]/g, '\\+')} `, 'm'));
    expect(USAGE).not.toContain('paper-mini');
    expect(USAGE.match(/^ {4}\S/gm)).toHaveLength(PRESETS.length);
  });
});

describe('defaults without a preset are the engine\'s', () => {
  const d = DEFAULT_TRAIN_CONFIG;

  it('every run config equals DEFAULT_TRAIN_CONFIG apart from its method', () => {
    const pl = plan([]);
    expect(pl.preset).toBeNull();
    expect(pl.overrides).toEqual({});
    expect(pl.models).toEqual([d.model]);
    expect(pl.bits).toEqual([[d.quant.wbits, d.quant.abits]]);
    expect(pl.seeds).toEqual([d.seed]);
    const runs = planRuns(plan(['--methods', 'fp32,lsq,lsq+cr']));
    const lsq = runs.find((r) => r.spec.method === 'lsq')!.config;
    expect(lsq).toEqual({ ...d, method: 'lsq' });
    const cr = runs.find((r) => r.spec.method === 'lsq+cr')!.config;
    expect(cr).toEqual({ ...d, method: 'lsq+cr' });
    const fp = runs.find((r) => r.spec.method === 'fp32')!.config;
    expect(fp).toEqual({ ...d, method: 'fp32', quant: { wbits: 32, abits: 32, firstLastBits: 32, perChannel: false } });
  });

  it('--help shows the engine\'s defaults', () => {
    const shown = (flag: string) => new RegExp(`^  --${flag} .*default (\\S+)$`, 'm').exec(USAGE)?.[1];
    expect(shown('ema-decay')).toBe(String(d.cr.teacher.decay));
    expect(shown('lambda')).toBe(String(d.cr.lambda.max));
    expect(shown('ramp')).toBe(String(d.cr.lambda.rampSteps));
    expect(shown('translate')).toBe(String(d.augment.translate));
    expect(shown('steps')).toBe(String(d.steps));
    expect(shown('eval-every')).toBe(String(d.evalEvery));
    expect(shown('lr')).toBe(String(d.lr));
    expect(shown('weight-decay')).toBe(String(d.optimizer.weightDecay));
    expect(shown('model')).toBe(d.model);
  });

  it('a flag without a preset sets only its own setting', () => {
    const lsq = planRuns(plan(['--methods', 'lsq', '--noise', '0.3']))[0].config;
    expect(lsq).toEqual({ ...d, augment: { ...d.augment, noise: 0.3 } });
  });
});

describe('--seeds', () => {
  it.each([
    ['0-4', [0, 1, 2, 3, 4]],
    ['0-2,7', [0, 1, 2, 7]],
    ['3,1-2,2', [3, 1, 2]],
    ['5-5', [5]],
    ['0, 2', [0, 2]],
  ])('reads %s', (text, seeds) => {
    expect(parseSeeds(text)).toEqual(seeds);
    expect(plan(['--seeds', text]).seeds).toEqual(seeds);
  });

  it.each([
    ['4-0', /range "4-0" runs backwards/],
    ['a-b', /"a-b" is neither a seed/],
    ['-3', /"-3" is neither a seed/],
    ['1-', /"1-" is neither a seed/],
    ['1.5', /"1.5" is neither a seed/],
    [',', /empty list/],
    ['0-99999999', /more than/],
  ])('refuses %s in one line', (text, message) => {
    expect(() => parseSeeds(text)).toThrow(UsageError);
    // `--seeds=-3`: a value that starts with a dash must be attached to its flag.
    expect(() => plan([`--seeds=${text}`])).toThrow(message);
    try {
      parseSeeds(text);
    } catch (e) {
      expect((e as Error).message.split('\n')).toHaveLength(1);
    }
  });

  it('keeps the default seed list with a preset', () => {
    expect(plan(['--preset', 'classroom']).seeds).toEqual([DEFAULT_TRAIN_CONFIG.seed]);
    expect(plan(['--preset', 'classroom', '--seeds', '0-2']).seeds).toEqual([0, 1, 2]);
  });
});

const base: Omit<RunResult, 'method' | 'seed' | 'testAccuracy'> = {
  wbits: 2,
  abits: 2,
  steps: 10,
  msPerStep: 5,
  backend: 'cpu',
  model: 'mlp',
  dataset: 'd',
  testLoss: 1,
  validationAccuracy: null,
  teacherTestAccuracy: null,
  finalTrainLoss: 1,
  labeled: 10,
  batchSize: 4,
};
const runsOfMethod = (method: string, acc: number[], seeds = acc.map((_, i) => i), extra: Partial<RunResult> = {}): RunResult[] =>
  acc.map((testAccuracy, i) => ({ ...base, ...extra, method, seed: seeds[i], testAccuracy }));

describe('paired summary', () => {
  it('gives the mean gain, its 95% interval and the seeds CR won', () => {
    // CR − LSQ = 1, 2, 3, 2, 2 points: mean 2, std √0.5, t(4) = 2.776, half-width 2.776·√0.5/√5 = 0.8779.
    const lsq = [0.8, 0.81, 0.79, 0.8, 0.82];
    const cr = [0.81, 0.83, 0.82, 0.82, 0.84];
    const runs = [...runsOfMethod('lsq', lsq), ...runsOfMethod('lsq+cr', cr)];
    const [c, ...rest] = pairedComparisons(runs);
    expect(rest).toHaveLength(0);
    expect(c).toMatchObject({ model: 'mlp', wbits: 2, abits: 2, method: 'lsq+cr', baseline: 'lsq', seeds: [0, 1, 2, 3, 4], wins: 5, losses: 0, withinNoise: false, unpaired: [] });
    expect(c.mean).toBeCloseTo(2, 10);
    expect(c.std).toBeCloseTo(Math.sqrt(0.5), 10);
    expect(c.interval![0]).toBeCloseTo(2 - 0.87785, 4);
    expect(c.interval![1]).toBeCloseTo(2 + 0.87785, 4);
    expect(c.diffs.map((x) => Number(x.toFixed(6)))).toEqual([1, 2, 3, 2, 2]);
    const md = pairedSummary([c]);
    expect(md).toContain('## LSQ+CR vs LSQ, mlp W2A2, paired by seed');
    expect(md).toContain('| seed | LSQ (%) | LSQ+CR (%) | CR − LSQ (points) |');
    expect(md).toContain('| 2 | 79.00 | 82.00 | +3.00 |');
    expect(md).toContain('Mean gain +2.00 points, 95% interval [+1.12, +2.88]; CR ahead on 5 of 5 seeds.');
    expect(md).not.toContain('within seed noise');
  });

  it('says "within seed noise" when the interval covers 0, with signed points', () => {
    // Differences +1, −1, +0.5: mean +0.17, std 1.0408, t(2) = 4.303, half-width 2.586.
    const runs = [...runsOfMethod('lsq', [0.8, 0.8, 0.8]), ...runsOfMethod('lsq+cr', [0.81, 0.79, 0.805])];
    const [c] = pairedComparisons(runs);
    expect(c.withinNoise).toBe(true);
    expect(c.wins).toBe(2);
    expect(c.losses).toBe(1);
    expect(pairedSummary([c])).toContain('| 1 | 80.00 | 79.00 | −1.00 |');
    expect(pairedSummary([c])).toContain('Mean gain +0.17 points, 95% interval [−2.42, +2.75], within seed noise; CR ahead on 2 of 3 seeds.');
  });

  it('one seed: no interval, within seed noise', () => {
    const [c] = pairedComparisons([...runsOfMethod('lsq', [0.8]), ...runsOfMethod('lsq+cr', [0.83])]);
    expect(c.interval).toBeNull();
    expect(c.withinNoise).toBe(true);
    expect(pairedSummary([c])).toContain('Mean gain +3.00 points, one seed, so no interval, within seed noise; CR ahead on 1 of 1 seed.');
  });

  it('pairs by seed and names the seeds only one method has', () => {
    // LSQ has seeds 0–3, LSQ+CR 0–2 and 5, listed in another order: pairs are 0, 1, 2.
    const runs = [...runsOfMethod('lsq', [0.8, 0.7, 0.6, 0.5], [0, 1, 2, 3]), ...runsOfMethod('lsq+cr', [0.95, 0.61, 0.72, 0.81], [5, 2, 1, 0])];
    const [c] = pairedComparisons(runs);
    expect(c.seeds).toEqual([0, 1, 2]);
    expect(c.baselineAccuracy.map((x) => Number(x.toFixed(6)))).toEqual([80, 70, 60]);
    expect(c.methodAccuracy.map((x) => Number(x.toFixed(6)))).toEqual([81, 72, 61]);
    expect(c.mean).toBeCloseTo((1 + 2 + 1) / 3, 10);
    expect(c.unpaired).toEqual([
      { method: 'lsq', seeds: [3] },
      { method: 'lsq+cr', seeds: [5] },
    ]);
    expect(pairedSummary([c])).toContain('Left out of the pairing: seed 3 (LSQ only); seed 5 (LSQ+CR only).');
  });

  it('compares FP32 with every bit width of LSQ, and keeps bit widths and models apart', () => {
    const runs = [
      ...runsOfMethod('fp32', [0.82, 0.84], [0, 1], { wbits: 32, abits: 32 }),
      ...runsOfMethod('lsq', [0.8, 0.81], [0, 1]),
      ...runsOfMethod('lsq', [0.815, 0.835], [0, 1], { wbits: 4, abits: 4 }),
      ...runsOfMethod('lsq+cr', [0.9], [0], { wbits: 4, abits: 4 }),
      ...runsOfMethod('lsq', [0.5], [0], { model: 'cnn-tiny' }),
    ];
    const cs = pairedComparisons(runs);
    expect(cs.map((c) => `${c.model} ${c.method} W${c.wbits}A${c.abits}`)).toEqual(['mlp fp32 W2A2', 'mlp lsq+cr W4A4', 'mlp fp32 W4A4']);
    expect(cs[0].mean).toBeCloseTo(2.5, 10);
    expect(cs[1].mean).toBeCloseTo(8.5, 10);
    expect(cs[2].mean).toBeCloseTo(0.5, 10);
    const md = pairedSummary(cs);
    expect(md).toContain('## FP32 vs LSQ (the quantization gap), mlp W2A2, paired by seed');
    expect(md).toContain('| seed | LSQ (%) | FP32 (%) | FP32 − LSQ (points) |');
    expect(md).toContain('Mean gap +2.50 points, 95% interval [−3.85, +8.85], within seed noise; FP32 ahead on 2 of 2 seeds.');
  });

  it('summary.md keeps its table and gains the paired sections', () => {
    const runs = [...runsOfMethod('lsq', [0.8, 0.82, 0.84]), ...runsOfMethod('lsq+cr', [0.81, 0.83, 0.86])];
    const md = summarize(runs, '# h');
    expect(md).toContain('| mlp | lsq | W2A2 | 82.00 ± 2.00 | 3 | 5.0 | cpu |');
    expect(md).toContain('## LSQ+CR vs LSQ, mlp W2A2, paired by seed');
    expect(md.indexOf('| mlp | lsq |')).toBeLessThan(md.indexOf('## LSQ+CR vs LSQ'));
    expect(summarize(runsOfMethod('lsq', [0.8]), '# h')).not.toContain('paired by seed');
  });
});

describe('npm run experiment -- --preset', () => {
  const cli = (args: string[]) =>
    promisify(execFile)('npx', ['tsx', 'src/cli/experiment.ts', ...args], { timeout: 300_000 }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it('exits 2 with one line on a backwards seed range', async () => {
    const r = await cli(['--seeds', '4-0']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--seeds: the range "4-0" runs backwards/);
  });

  it('runs the preset\'s runs over a seed range and writes the paired comparison', async () => {
    const out = mkdtempSync(join(tmpdir(), 'qat-preset-'));
    const r = await cli(['--preset', 'mlp', '--steps', '2', '--labeled', '50', '--batch', '8', '--seeds', '0-1', '--backend', 'wasm', '--out', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { runs: RunResult[]; paired: ReturnType<typeof pairedComparisons> };
    expect(results.runs.map((x) => `${x.model} ${x.method} ${x.seed} ${x.steps}`)).toEqual(['mlp lsq 0 2', 'mlp lsq 1 2', 'mlp lsq+cr 0 2', 'mlp lsq+cr 1 2']);
    expect(Object.keys(results.runs[0]).slice(0, 8)).toEqual(['method', 'seed', 'wbits', 'abits', 'testAccuracy', 'steps', 'msPerStep', 'backend']);
    expect(results.paired).toEqual(pairedComparisons(results.runs));
    expect(results.paired).toHaveLength(1);
    expect(results.paired[0]).toMatchObject({ method: 'lsq+cr', baseline: 'lsq', seeds: [0, 1], wbits: 2, abits: 2 });
    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(summary).toContain('Preset mlp');
    expect(summary).toContain('## LSQ+CR vs LSQ, mlp W2A2, paired by seed');
  });
});
