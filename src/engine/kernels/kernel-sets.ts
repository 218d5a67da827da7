/**
 * The two kernel sets a backend can run: TF.js's own kernels ('stock') or those plus the project's swappable ones
 * ('custom'). Kernels that fix what a backend computes are registered under both. Imports nothing: the CLI's flag
 * parser and page code may read it.
 */
export const KERNEL_SETS = ['stock', 'custom'] as const;
export type KernelSet = (typeof KERNEL_SETS)[number];
