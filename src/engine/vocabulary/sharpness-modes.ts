/** How much work each live top-eigenvalue estimate does: none, a cheap one, or a thorough one. */
export const SHARPNESS_MODES = ['off', 'cheap', 'thorough'] as const;
export type SharpnessMode = (typeof SHARPNESS_MODES)[number];
