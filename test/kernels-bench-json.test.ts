/**
 * `npm run bench -- … --json` reports GPU launches per step and wasm's thread count in every line (DESIGN.md's
 * contract). Counts are asserted, never times. webgpu runs on Dawn + SwiftShader; the model is the MLP at
 * batch 2, so each run takes seconds.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

async function bench(...args: string[]): Promise<{ row: Record<string, unknown>; stderr: string }> {
  const { stdout, stderr } = await run('npx', ['tsx', 'src/cli/bench.ts', '--model', 'mlp', '--batch', '2', '--warmup', '1', '--steps', '2', '--json', ...args], {
    env: { ...process.env, VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? ICD, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
    timeout: 480_000,
  });
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return { row: JSON.parse(lines[0]) as Record<string, unknown>, stderr };
}

describe('bench --json', () => {
  it.skipIf(!existsSync(ICD))('on webgpu: launchesPerStep is a positive integer, fewer with the custom kernels, threads 1', async () => {
    const custom = await bench('--backend', 'webgpu', '--kernels', 'custom');
    const stock = await bench('--backend', 'webgpu', '--kernels', 'stock');
    for (const { row } of [custom, stock]) {
      expect(row.backend).toBe('webgpu');
      expect(Number.isInteger(row.launchesPerStep)).toBe(true);
      expect(row.launchesPerStep as number).toBeGreaterThan(0);
      expect(row.threads).toBe(1);
    }
    expect(custom.row.launchesPerStep as number).toBeLessThan(stock.row.launchesPerStep as number);
    expect(custom.row.loss).toBeCloseTo(stock.row.loss as number, 4);
  }, 540_000);

  it('on wasm: --threads is taken, and Node honestly reports the one thread it runs', async () => {
    const { row, stderr } = await bench('--backend', 'wasm', '--threads', '2');
    expect(row.backend).toBe('wasm');
    expect(row.launchesPerStep).toBeNull();
    expect(row.threads).toBe(1);
    expect(stderr).toMatch(/--threads 2 asked for, 1 used \(tfjs-backend-wasm 4\.22 runs one thread under Node\)/);
  }, 540_000);

  it('on cpu: no launches, one thread; a bad --threads exits 2', async () => {
    const { row } = await bench('--backend', 'cpu');
    expect(row).toMatchObject({ backend: 'cpu', launchesPerStep: null, threads: 1 });
    await expect(bench('--backend', 'cpu', '--threads', '0')).rejects.toMatchObject({ code: 2 });
  }, 540_000);
});
