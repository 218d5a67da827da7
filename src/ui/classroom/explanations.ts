/** Short explanations shown next to the controls, in plain words, for a class or a first visit. */
export const EXPLANATIONS = {
  lsq: {
    title: 'LSQ: learned step size quantization',
    text: 'A b-bit layer can only use 2^b values: a grid of evenly spaced levels, s apart. LSQ learns the step s of every layer by gradient descent, along with the weights, so each layer finds the grid that loses the least accuracy. Weights use a signed grid, activations after a ReLU an unsigned one.',
  },
  ste: {
    title: 'STE: the straight-through estimator',
    text: 'Rounding is flat almost everywhere, so its true gradient is zero and nothing would learn. Training pretends rounding is the identity on the way back: the gradient passes straight through inside the grid and is cut where values are clipped. The network keeps full-precision "latent" weights and quantizes them on every forward pass.',
  },
  ema: {
    title: 'The EMA teacher',
    text: 'The teacher is not trained; its weights are an exponential moving average of the student\'s (decay close to 1). Averaging over many steps smooths out the noise of single updates, so the teacher is usually a little more accurate and much steadier than the student.',
  },
  cr: {
    title: 'Consistency Regularization (CR)',
    text: 'The student sees one augmented view of an image and the teacher another. A KL-divergence term pulls the student\'s prediction towards the teacher\'s. It needs no labels, so unlabeled images add to it. The paper argues that quantization noise acts like an augmentation: the student learns to give the same answer under it.',
  },
  lambda: {
    title: 'λ(t): the weight of the consistency term',
    text: 'loss = cross-entropy + λ(t)·consistency. λ starts at 0 and ramps up, because an untrained teacher has nothing to teach; too large a λ makes predicting one class for everything a way out. The λ chart shows the schedule; try a large λ_max to see it hurt.',
  },
  flatness: {
    title: 'Why flatness matters',
    text: 'Quantizing the weights moves them a little. In a sharp minimum a small move costs a lot of loss; in a flat one it costs little. The paper measures flatness by the largest eigenvalues of the loss Hessian and finds them smaller with CR: a flatter minimum that tolerates quantization better.',
  },
  sharpnessBand: {
    title: 'The band around the sharpness estimate',
    text: 'Each live estimate of the top eigenvalue λ comes from a few Hessian-vector products, so it is not exact. After it, one more product checks it: for the estimated direction v, the leftover ‖Hv − λv‖ would be 0 for a true eigenvector, and however v was found, some eigenvalue of the Hessian lies within that distance of λ. That is the shaded band, λ ± ‖Hv − λv‖. It covers the estimate\'s arithmetic, on the one fixed batch of images both runs are measured on; it narrows as the estimate settles. Read LSQ+CR as flatter only where its band lies below LSQ\'s: a gap smaller than the bands is noise.',
  },
  layerEigen: {
    title: 'Top eigenvalue layer by layer',
    text: 'The whole network\'s top eigenvalue says how sharp the minimum is, not where. Here each layer is measured on its own: only that layer\'s weights and bias move, every other parameter stays fixed, and the largest eigenvalue of that block of the Hessian is estimated. A large value means the loss is sensitive to moving that layer\'s weights, so rounding them to the grid costs more there. The ± is the same residual bound as on the live chart: two layers, or two runs, differ only where their intervals do not overlap.',
  },
  seeds: {
    title: 'Why repeat with several seeds',
    text: 'The seed picks the starting weights, which images are labeled, and the order and augmentation of the batches. Change it and both accuracies move, often by a point or more, and so does the gap between LSQ and LSQ+CR. One seed is one sample of that gap: on its own it cannot tell a real gain from luck. Both runs of a seed share all of that luck, so their difference is what we repeat over N seeds: the mean difference, with a 95% interval for where the true mean lies. When the interval covers 0, the gain is within seed noise: more seeds, or a bigger effect, are needed before calling it.',
  },
  perClass: {
    title: 'Accuracy class by class',
    text: 'One accuracy number hides where a model goes wrong. Per class it is the share of that class\'s test images the model gets right. Quantization does not hurt every class alike: classes that look like one another (a shirt and a T-shirt) lose most, because the coarse grid blurs the small differences between them. The sentence above the chart names the class where CR gains most over plain LSQ, and the one where it loses most.',
  },
  confusion: {
    title: 'The confusion matrix',
    text: 'Row: the true class; column: the class the model predicted. The diagonal holds the right answers, every other cell one kind of mistake. The difference LSQ+CR − LSQ shows which mistakes CR removes (green off the diagonal) and which it adds (red). Click a cell to see its test images and what each model said about them.',
  },
  quantError: {
    title: 'How much quantization changes each layer',
    text: 'For every quantized tensor x and its grid version q: the relative RMS error ‖q − x‖/‖x‖ (0 is perfect), the cosine similarity of q and x (1 is perfect: same direction, whatever the scale), and the share of values the grid clips. For weights, also how many moved to another grid point since the last evaluation; those that moved twice or more oscillate around a rounding boundary, a known weakness of low-bit training that adds noise to every step.',
  },
  midRun: {
    title: 'Changing settings mid-run',
    text: 'Turn λ_max up or down, or change the learning rate or the EMA decay, and watch the curves react. Both runs pause, take the change from the same step (the one after the run that is furthest along) and go on, so they stay comparable; a dashed marker on every chart shows where. The change is in the exported JSON, run by run.',
  },
} as const;

export type ExplanationId = keyof typeof EXPLANATIONS;
