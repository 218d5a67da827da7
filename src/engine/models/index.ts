import { checkBits } from '../quant/config';
import { CnnSmall } from './cnn-small';
import { CnnTiny } from './cnn-tiny';
import { Mlp } from './mlp';
import { Resnet20 } from './resnet20';
import { MODEL_NAMES, type Model, type ModelSpec } from './types';

export * from './types';

/** Builds a model from plain data; the same spec and seed give the same initial weights on every backend. */
export function buildModel(spec: ModelSpec): Model {
  checkBits(spec.quant.wbits, 'weight bits');
  checkBits(spec.quant.abits, 'activation bits');
  checkBits(spec.quant.firstLastBits, 'first/last-layer bits');
  switch (spec.name) {
    case 'mlp':
      return new Mlp(spec);
    case 'mlp-narrow':
      // 64 hidden units: few enough that 2-bit weights and activations cost it accuracy.
      return new Mlp(spec, [64, 64]);
    case 'cnn-tiny':
      return new CnnTiny(spec);
    case 'cnn-small':
      return new CnnSmall(spec);
    case 'resnet20':
      return new Resnet20(spec);
    default:
      throw new RangeError(`unknown model "${String(spec.name)}"; choose one of ${MODEL_NAMES.join(', ')}`);
  }
}
