import { SHIPPED_DATASET } from '../config/playground-config';
import { DEFAULT_TRAIN_CONFIG } from '../engine';

/**
 * Defaults of the flags that shape the experiment rather than one run. The model, bit widths and seed are the
 * engine's; the methods are the CLI's own choice, a quantized run and its full-precision reference.
 */
export const PLAN_DEFAULTS = {
  dataset: SHIPPED_DATASET,
  model: DEFAULT_TRAIN_CONFIG.model,
  methods: 'fp32,lsq',
  wbits: String(DEFAULT_TRAIN_CONFIG.quant.wbits),
  abits: String(DEFAULT_TRAIN_CONFIG.quant.abits),
  seeds: String(DEFAULT_TRAIN_CONFIG.seed),
  backend: 'auto',
  out: 'out/experiment',
  hessian: 'none',
  'hessian-samples': '1000',
} as const;
