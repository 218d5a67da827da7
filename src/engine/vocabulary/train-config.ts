import type { DeepPartial, KnobTree } from './knob-tree';
import type { TrainKnob } from './knobs';

/** Everything that defines a training run: plain data, one field per knob of TRAIN_KNOBS. */
export type TrainConfig = KnobTree<TrainKnob>;
/** What a caller gives: any knob left out takes its default. */
export type TrainConfigInput = DeepPartial<TrainConfig>;

export type QuantConfig = TrainConfig['quant'];
export type OptimizerConfig = TrainConfig['optimizer'];
/** Augmentation of every training view (both views of CR, the single view of the other methods). */
export type AugmentConfig = TrainConfig['augment'];
/** Consistency Regularization (lsq+cr) and the distillation baseline (lsq+kd, which uses λ, τ and the loss kind). */
export type CrConfig = TrainConfig['cr'];
export type LambdaSchedule = CrConfig['lambda'];
export type TeacherConfig = CrConfig['teacher'];
