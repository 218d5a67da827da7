import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseExperimentArgs, UsageError } from '../src/cli/experiment-args';
import { summarize, type RunResult } from '../src/cli/results';
import { expandRuns } from '../src/cli/run-experiment';

const run = promisify(execFile);

function cli(args: string[]) {
  return run('npx', ['tsx', 'src/cli/experiment.ts', ...args], { timeout: 300_000 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe('experiment arguments', () => {
  it('parses the documented command', () => {
    const plan = parseExperimentArgs('--dataset fashion-mnist --model mlp --methods fp32,lsq --wbits 4 --abits 4 --labeled 1000 --steps 300 --seeds 0 --backend cpu --out DIR'.split(' '));
    expect(plan).toMatchObject({ dataset: 'fashion-mnist', models: ['mlp'], methods: ['fp32', 'lsq'], bits: [[4, 4]], seeds: [0], backend: 'cpu', out: 'DIR' });
  });

  it('pairs bit widths and broadcasts a single one', () => {
    const plan = parseExperimentArgs(['--wbits', '2,4', '--abits', '2,4']);
    expect(plan !== 'help' && plan.bits).toEqual([[2, 2], [4, 4]]);
    const one = parseExperimentArgs(['--wbits', '2,4', '--abits', '8']);
    expect(one !== 'help' && one.bits).toEqual([[2, 8], [4, 8]]);
  });

  it.each([
    [['--wbits', '9'], /--wbits/],
    [['--wbits', '2,4,8', '--abits', '2,4'], /pair up/],
    [['--model', 'vgg'], /--model: "vgg" is not one of/],
    [['--methods', 'lsq,magic'], /--methods/],
    [['--steps', '0'], /--steps/],
    [['--steps', '1.5'], /--steps/],
    [['--lr', '-1'], /--lr/],
    [['--backend', 'tpu'], /--backend/],
    [['--dataset', 'imagenet'], /--dataset/],
    [['--bogus'], /bogus/],
  ])('rejects %j with a clear message', (args, message) => {
    expect(() => parseExperimentArgs(args)).toThrow(UsageError);
    expect(() => parseExperimentArgs(args)).toThrow(message);
  });

  it('runs fp32 once per seed whatever the bit widths', () => {
    const runs = expandRuns(['mlp'], ['fp32', 'lsq'], [[2, 2], [4, 4]], [0, 1]);
    expect(runs.filter((r) => r.method === 'fp32')).toHaveLength(2);
    expect(runs.filter((r) => r.method === 'lsq')).toHaveLength(4);
  });
});

describe('summary', () => {
  it('gives mean ± sample std over seeds per method and bit width', () => {
    const base = { method: 'lsq', wbits: 2, abits: 2, steps: 10, msPerStep: 5, backend: 'cpu', model: 'mlp', dataset: 'd', testLoss: 1, validationAccuracy: null, teacherTestAccuracy: null, finalTrainLoss: 1, labeled: 10, batchSize: 4 };
    const runs: RunResult[] = [0.8, 0.82, 0.84].map((testAccuracy, seed) => ({ ...base, seed, testAccuracy }));
    expect(summarize(runs, '# h')).toContain('| mlp | lsq | W2A2 | 82.00 ± 2.00 | 3 | 5.0 | cpu |');
  });

  it('adds the EMA teacher column when a run has a teacher', () => {
    const base = { seed: 0, wbits: 2, abits: 2, steps: 10, msPerStep: 5, backend: 'cpu', model: 'mlp', dataset: 'd', testLoss: 1, validationAccuracy: null, finalTrainLoss: 1, labeled: 10, batchSize: 4 };
    const table = summarize(
      [
        { ...base, method: 'lsq', testAccuracy: 0.8, teacherTestAccuracy: null },
        { ...base, method: 'lsq+cr', testAccuracy: 0.81, teacherTestAccuracy: 0.83 },
      ],
      '# h',
    );
    expect(table).toContain('EMA teacher test accuracy (%)');
    expect(table).toContain('| mlp | lsq | W2A2 | 80.00 | — | 1 |');
    expect(table).toContain('| mlp | lsq+cr | W2A2 | 81.00 | 83.00 | 1 |');
  });
});

describe('npm run experiment', () => {
  it('exits 2 with a one-line reason on bad arguments', async () => {
    const r = await cli(['--wbits', '9']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^experiment: weight bits|--wbits/);
  });

  it('writes results.json with the documented fields and summary.md', async () => {
    const out = mkdtempSync(join(tmpdir(), 'qat-exp-'));
    const r = await cli(['--model', 'mlp', '--methods', 'fp32,lsq', '--wbits', '2', '--abits', '2', '--labeled', '100', '--steps', '3', '--batch', '8', '--seeds', '0,1', '--backend', 'wasm', '--out', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { runs: Record<string, unknown>[] };
    expect(results.runs).toHaveLength(4);
    for (const run of results.runs) {
      expect(Object.keys(run)).toEqual(expect.arrayContaining(['method', 'seed', 'wbits', 'abits', 'testAccuracy', 'steps', 'msPerStep', 'backend']));
      expect(run.backend).toBe('wasm');
      expect(run.steps).toBe(3);
      expect(run.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(run.testAccuracy).toBeLessThanOrEqual(1);
    }
    expect(results.runs.map((x) => `${x.method} ${x.wbits}/${x.abits}`)).toEqual(['fp32 32/32', 'fp32 32/32', 'lsq 2/2', 'lsq 2/2']);
    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(summary).toMatch(/\| mlp \| lsq \| W2A2 \| [\d.]+ ± [\d.]+ \| 2 \|/);
    expect(r.stderr).toMatch(/mlp lsq W2A2 seed 1: test accuracy/);
  });
});

describe('npm run experiment -- --hessian', () => {
  it('parses top1 / top50 / none and refuses anything else', async () => {
    expect(parseExperimentArgs(['--hessian', 'top1']).valueOf()).toMatchObject({ hessian: { top: 1, samples: 1000 } });
    expect(parseExperimentArgs(['--hessian', 'top50', '--hessian-samples', '64']).valueOf()).toMatchObject({ hessian: { top: 50, samples: 64 } });
    expect(parseExperimentArgs([]).valueOf()).toMatchObject({ hessian: null });
    const r = await cli(['--hessian', 'top7']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--hessian: "top7" is not one of none, top1, top50/);
  });

  it('adds the top eigenvalue and the trace to results.json and summary.md', async () => {
    const out = mkdtempSync(join(tmpdir(), 'qat-exp-'));
    const r = await cli(['--model', 'mlp', '--methods', 'lsq', '--wbits', '2', '--abits', '2', '--labeled', '100', '--steps', '3', '--batch', '8', '--hessian', 'top1', '--hessian-samples', '16', '--backend', 'wasm', '--out', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    const run = (JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { runs: Record<string, unknown>[] }).runs[0];
    expect(run.hessianTop).toHaveLength(1);
    expect((run.hessianTop as number[])[0]).toBeGreaterThan(0);
    expect(Number.isFinite(run.hessianTrace)).toBe(true);
    expect(typeof run.hessianConverged).toBe('boolean');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/\| top Hessian eigenvalue \| Hessian trace \|/);
  });
});
