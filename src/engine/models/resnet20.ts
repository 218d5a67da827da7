import * as tf from '@tensorflow/tfjs';
import { BatchNorm } from '../nn/batch-norm';
import { QConv2d } from '../nn/conv2d';
import { QDense } from '../nn/dense';
import { relu } from '../nn/piecewise';
import type { ParamStore } from '../nn/params';
import type { QuantConfig } from '../quant/config';
import { ActivationQuantizer, type ForwardContext } from '../quant/quantizers';
import { StoreModel } from './base';
import type { ModelSpec } from './types';

/**
 * Basic residual block: two 3×3 quantized convs with BatchNorm; a quantized 1×1 conv + BatchNorm shortcut where
 * the shape changes. The block's input is quantized once and feeds both paths.
 */
class BasicBlock {
  private readonly inQuant: ActivationQuantizer;
  private readonly conv1: QConv2d;
  private readonly bn1: BatchNorm;
  private readonly conv2: QConv2d;
  private readonly bn2: BatchNorm;
  private readonly shortcut: { conv: QConv2d; bn: BatchNorm } | null;

  constructor(store: ParamStore, name: string, inC: number, outC: number, stride: number, q: QuantConfig) {
    const conv = (suffix: string, i: number, o: number, k: number, s: number, abits: number | null) =>
      new QConv2d(store, `${name}/${suffix}`, {
        inChannels: i,
        outChannels: o,
        kernel: k,
        stride: s,
        wbits: q.wbits,
        abits,
        perChannel: q.perChannel,
      });
    this.inQuant = new ActivationQuantizer(store, `${name}/in`, q.abits);
    this.conv1 = conv('conv1', inC, outC, 3, stride, null);
    this.bn1 = new BatchNorm(store, `${name}/bn1`, outC);
    this.conv2 = conv('conv2', outC, outC, 3, 1, q.abits);
    this.bn2 = new BatchNorm(store, `${name}/bn2`, outC);
    this.shortcut =
      stride !== 1 || inC !== outC
        ? { conv: conv('down', inC, outC, 1, stride, null), bn: new BatchNorm(store, `${name}/down_bn`, outC) }
        : null;
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    const xq = this.inQuant.apply(x, ctx) as tf.Tensor4D;
    let h = relu(this.bn1.forward(this.conv1.forward(xq, ctx), ctx), ctx);
    h = this.bn2.forward(this.conv2.forward(h, ctx), ctx);
    // The identity path keeps full precision, as in the LSQ reference setups.
    const skip = this.shortcut ? this.shortcut.bn.forward(this.shortcut.conv.forward(xq, ctx), ctx) : x;
    return relu(tf.add(h, skip) as tf.Tensor4D, ctx);
  }
}

/** CIFAR-style ResNet-20 (He et al. 2016): 3 stages × 3 basic blocks, 16/32/64 channels, global average pool. */
export class Resnet20 extends StoreModel {
  private readonly stem: QConv2d;
  private readonly stemBn: BatchNorm;
  private readonly blocks: BasicBlock[] = [];
  private readonly head: QDense;

  constructor(spec: ModelSpec) {
    super(spec);
    const q = spec.quant;
    const c = spec.inputShape[2];
    this.stem = new QConv2d(this.store, 'stem', {
      inChannels: c,
      outChannels: 16,
      kernel: 3,
      stride: 1,
      wbits: q.firstLastBits,
      abits: null,
      perChannel: q.perChannel,
    });
    this.stemBn = new BatchNorm(this.store, 'stem_bn', 16);
    let inC = 16;
    [16, 32, 64].forEach((outC, stage) => {
      for (let b = 0; b < 3; b++) {
        const stride = stage > 0 && b === 0 ? 2 : 1;
        this.blocks.push(new BasicBlock(this.store, `s${stage + 1}b${b + 1}`, inC, outC, stride, q));
        inC = outC;
      }
    });
    this.head = new QDense(this.store, 'fc', {
      inputs: 64,
      units: spec.numClasses,
      wbits: q.firstLastBits,
      abits: q.firstLastBits,
      perChannel: q.perChannel,
    });
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D {
    let h = relu(this.stemBn.forward(this.stem.forward(x, ctx), ctx), ctx);
    for (const block of this.blocks) h = block.forward(h, ctx);
    return this.head.forward(tf.mean(h, [1, 2]) as tf.Tensor2D, ctx);
  }
}
