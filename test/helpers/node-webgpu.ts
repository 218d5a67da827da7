import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, vi } from 'vitest';
import { installNodeWebGPU, uninstallNodeWebGPU } from '../../src/node/webgpu';
import { initBackend } from '../../src/engine/backend/select';

const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Dawn for Node on SwiftShader for one test file (needs SwiftShader's Vulkan driver from Debian's chromium
 * package). Shader compile errors surface only as console warnings, so they are collected for `shaderWarnings`.
 */
export function useNodeWebGPU(opts: { selectBackend: boolean }): { shaderWarnings(): string[] } {
  const warnings: string[] = [];
  beforeAll(async () => {
    if (!existsSync(ICD)) throw new Error(`${ICD} is missing: install Debian's chromium package (apt-get install -y chromium)`);
    process.env.VK_ICD_FILENAMES ??= ICD;
    process.env.XDG_RUNTIME_DIR ??= '/tmp';
    vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void warnings.push(args.map(String).join(' ')));
    expect(await installNodeWebGPU()).toBe(true);
    if (opts.selectBackend) expect((await initBackend('webgpu')).name).toBe('webgpu');
  });
  afterAll(() => {
    uninstallNodeWebGPU();
  });
  return { shaderWarnings: () => warnings.filter((w) => /WGSL|invalid due to a previous error|shader/i.test(w)) };
}
