/** Shapes of λ(t), the weight of the consistency term over training. */
export const LAMBDA_SCHEDULES = ['constant', 'linear', 'sigmoid', 'cosine', 'step'] as const;
export type LambdaScheduleKind = (typeof LAMBDA_SCHEDULES)[number];

/** How teacher and student predictions are compared. */
export const CONSISTENCY_KINDS = ['kl', 'mse'] as const;
export type ConsistencyKind = (typeof CONSISTENCY_KINDS)[number];

/** The teacher's precision, as flags name it: quantized like the student, or full precision. */
export const TEACHER_KINDS = ['quantized', 'fp'] as const;
export type TeacherKind = (typeof TEACHER_KINDS)[number];

/** Where the teacher's BatchNorm statistics come from: a copy of the student's, or its own batches. */
export const TEACHER_BN_STATS = ['copy', 'own'] as const;
export type TeacherBnStats = (typeof TEACHER_BN_STATS)[number];
