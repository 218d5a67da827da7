import * as tf from '@tensorflow/tfjs';

/**
 * The on/off decisions of a forward pass's piecewise-linear pieces (ReLU gates, max-pool winners, LSQ rounding and
 * clipping), recorded once and replayed. Replaying makes the network smooth around the recorded point, which is
 * what second derivatives by automatic differentiation see: finite differences of gradients would otherwise pick up
 * jumps wherever a small weight change flips a gate or crosses a rounding boundary.
 */
export class PatternTape {
  private readonly entries: tf.Tensor[] = [];
  private cursor = 0;
  mode: 'record' | 'replay' = 'record';

  /** Keeps tensors of one decision (they outlive the pass's tidy). */
  put(...tensors: tf.Tensor[]): void {
    for (const t of tensors) this.entries.push(tf.keep(t));
  }

  /** The next recorded decision, in the order of the recording pass. */
  next(): tf.Tensor {
    const t = this.entries[this.cursor++];
    if (!t) throw new Error('pattern tape: replay does not follow the recorded pass');
    return t;
  }

  /** Starts a replay from the first decision. */
  replay(): void {
    this.mode = 'replay';
    this.cursor = 0;
  }

  dispose(): void {
    tf.dispose(this.entries);
    this.entries.length = 0;
  }
}
