// The page's main thread reads these names from the vocabulary, which imports nothing.
export { SHARPNESS_MODES, type SharpnessMode } from '../vocabulary/sharpness-modes';
