import { BatchNorm } from '../nn/batch-norm';
import { QConv2d } from '../nn/conv2d';
import type { ParamStore } from '../nn/params';
import type { QuantConfig } from '../quant/config';

/**
 * 3×3 convolutions, each followed by BatchNorm, with the channel widths given (input channels first). The first
 * convolution sees raw pixels: its weights take the first/last-layer bits and its input is not quantized.
 */
export function convBnStack(store: ParamStore, channels: readonly number[], quant: QuantConfig): { convs: QConv2d[]; norms: BatchNorm[] } {
  const convs: QConv2d[] = [];
  const norms: BatchNorm[] = [];
  for (let i = 0; i + 1 < channels.length; i++) {
    const first = i === 0;
    convs.push(
      new QConv2d(store, `conv${i + 1}`, {
        inChannels: channels[i],
        outChannels: channels[i + 1],
        kernel: 3,
        stride: 1,
        wbits: first ? quant.firstLastBits : quant.wbits,
        abits: first ? null : quant.abits,
        perChannel: quant.perChannel,
      }),
    );
    norms.push(new BatchNorm(store, `bn${i + 1}`, channels[i + 1]));
  }
  return { convs, norms };
}
