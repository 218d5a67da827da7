import { useEffect, useRef } from 'react';

/** One HWC uint8 image (grey or RGB) drawn pixel-exact and scaled up by CSS. */
export function ImageThumb({ pixels, width, height, channels, size = 56 }: { pixels: Uint8Array; width: number; height: number; channels: number; size?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(width, height);
    for (let i = 0; i < width * height; i++) {
      for (let c = 0; c < 3; c++) img.data[4 * i + c] = pixels[i * channels + (channels === 1 ? 0 : c)];
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [pixels, width, height, channels]);
  return <canvas ref={canvas} width={width} height={height} style={{ width: size, height: size, imageRendering: 'pixelated' }} />;
}
