export const MODEL_NAMES = ['mlp', 'mlp-narrow', 'cnn-tiny', 'cnn-small', 'resnet20'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];
