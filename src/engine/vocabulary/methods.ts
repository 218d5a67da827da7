/** fp32, LSQ, LSQ with Consistency Regularization, and LSQ distilled from a trained fp32 teacher (a baseline). */
export const METHODS = ['fp32', 'lsq', 'lsq+cr', 'lsq+kd'] as const;
export type Method = (typeof METHODS)[number];
