import type { RunId } from '../../config/run-config';

/** One colour per run, the same on every chart. */
export const RUN_COLORS: Record<RunId, string> = { fp32: '#16a34a', lsq: '#2563eb', 'lsq+cr': '#ea580c' };
